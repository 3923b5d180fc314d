"""What only the company knows: the shape of its employee and customer IDs, and its own names,
which may reach the cloud.

Read from Django settings when they are set (`PII_COMPANY_ID_PATTERNS`: regular expressions,
one per ID format; `PII_OWN_ORGANISATIONS`: names that are not masked as organisations), else
the defaults below, which cover the common `EMP-12345` / `CUST-001234` shapes. A bad pattern
fails loudly at first use rather than silently masking nothing.
"""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_ID_PATTERNS = (
    r"(?:EMP|EMPL|EID|STAFF|CUST|CUS|CID|CLT|MEM|ACC|ACCT|USR|PER|HR|SUP|VEN|ORD)[-_#]?\d{4,10}",
    r"[A-Z]{1,3}-\d{5,8}",
)


@dataclass(frozen=True)
class CompanyFormats:
    id_patterns: tuple[re.Pattern, ...]
    own_organisations: frozenset[str]


@functools.cache
def company_formats() -> CompanyFormats:
    # Detection also runs outside a configured project (scripts, the network test): defaults then.
    configured = settings.configured
    sources = (
        getattr(settings, "PII_COMPANY_ID_PATTERNS", DEFAULT_ID_PATTERNS)
        if configured
        else DEFAULT_ID_PATTERNS
    )
    try:
        patterns = tuple(re.compile(rf"(?<![A-Za-z0-9])(?:{p})(?![A-Za-z0-9])") for p in sources)
    except re.error as error:
        raise ImproperlyConfigured(f"PII_COMPANY_ID_PATTERNS: {error}") from error
    own = getattr(settings, "PII_OWN_ORGANISATIONS", ()) if configured else ()
    return CompanyFormats(patterns, frozenset(name.lower() for name in own))
