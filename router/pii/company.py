"""What only the company knows: the shapes of its employee and customer IDs, and its own names,
which may reach the cloud.

Two sources, used together: Django settings (`PII_COMPANY_ID_PATTERNS`: regular expressions, one
per ID format, else the defaults below, which cover the common `EMP-12345` / `CUST-001234`
shapes; `PII_OWN_ORGANISATIONS`: names not masked as organisations) and the tables an admin edits
(`CompanyIdPattern`, `OwnOrganisation`). Detection itself never queries the database: it also
runs in scripts and tests without one. The protect stage calls `refresh_company_formats()` once
per request, which re-reads the tables only when their version changed, so an edit applies from
the next request in every process. A bad pattern in the settings fails loudly at first use
rather than silently masking nothing; the admin refuses a bad one when it is saved.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_ID_PATTERNS = (
    r"(?:EMP|EMPL|EID|STAFF|CUST|CUS|CID|CLT|MEM|ACC|ACCT|USR|PER|HR|SUP|VEN|ORD)[-_#]?\d{4,10}",
    r"[A-Z]{1,3}-\d{5,8}",
)
_ID_KIND = "ID"


def compile_id_pattern(regex: str) -> re.Pattern:
    """An ID format as detection uses it: never a piece of a longer word or number."""
    return re.compile(rf"(?<![A-Za-z0-9])(?:{regex})(?![A-Za-z0-9])")


@dataclass(frozen=True)
class CompanyFormats:
    id_patterns: tuple[tuple[str, re.Pattern], ...] = ()  # (placeholder kind, pattern)
    own_organisations: tuple[str, ...] = ()

    @functools.cached_property
    def _own_pattern(self) -> re.Pattern | None:
        names = sorted({n.strip() for n in self.own_organisations if n.strip()}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, names))
        return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.I) if names else None

    def is_own(self, organisation: str) -> bool:
        """ "Globex Corporation" is the company's own when "Globex" is one of its names; "Globexa
        Ltd" is not."""
        return self._own_pattern is not None and self._own_pattern.search(organisation) is not None


@functools.cache
def _from_settings() -> CompanyFormats:
    # Detection also runs outside a configured project (scripts, the network test): defaults then.
    configured = settings.configured
    sources = (settings.PII_COMPANY_ID_PATTERNS if configured else None) or DEFAULT_ID_PATTERNS
    try:
        patterns = tuple((_ID_KIND, compile_id_pattern(p)) for p in sources)
    except re.error as error:
        raise ImproperlyConfigured(f"PII_COMPANY_ID_PATTERNS: {error}") from error
    own = settings.PII_OWN_ORGANISATIONS if configured else ()
    return CompanyFormats(patterns, tuple(own))


@dataclass(frozen=True)
class _Snapshot:
    version: tuple  # of the admin's tables when they were read
    formats: CompanyFormats  # the settings' formats and theirs


_admin: _Snapshot | None = None  # replaced whole, never mutated: threads read it without a lock


def company_formats() -> CompanyFormats:
    """The settings' formats and the admin's, as the last refresh left them."""
    return _admin.formats if _admin is not None else _from_settings()


def refresh_company_formats() -> None:
    """Re-read the admin's tables if they changed since the last call (one small query)."""
    global _admin
    from router.models import CompanyIdPattern, OwnOrganisation  # the models need the app registry

    version = (CompanyIdPattern.objects.version(), OwnOrganisation.objects.version())
    if _admin is not None and version == _admin.version:
        return
    base = _from_settings()
    rows = CompanyIdPattern.objects.filter(enabled=True).values_list("kind", "regex")
    names = OwnOrganisation.objects.values_list("name", flat=True)
    formats = CompanyFormats(base.id_patterns + _compiled(rows), base.own_organisations + tuple(names))
    _admin = _Snapshot(version, formats)


def _compiled(rows: Iterable[tuple[str, str]]) -> tuple[tuple[str, re.Pattern], ...]:
    # The admin validated each row on save; a row that still fails to compile (written
    # around the admin) must not mask nothing silently.
    try:
        return tuple((kind, compile_id_pattern(regex)) for kind, regex in rows)
    except re.error as error:
        raise ImproperlyConfigured(f"CompanyIdPattern: {error}") from error


def forget_company_formats() -> None:
    """Drop what was read from the settings and the tables (tests that change them)."""
    global _admin
    _from_settings.cache_clear()
    _admin = None
