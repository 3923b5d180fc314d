"""Typed readers for settings that come from the environment.

Each refuses a malformed value with ImproperlyConfigured instead of guessing, so a typo
in deployment fails at start-up rather than as odd behaviour later.
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_list(name: str, default: list[str], *, separator: str | None = ",") -> list[str]:
    """`separator=None` splits on whitespace, for values (regular expressions) that hold commas."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(separator) if item.strip()]


_HOSTNAME = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")


def env_hosts(name: str) -> list[str]:
    """Comma-separated host names ("intranet.example.com", "*.example.com"), lower-cased;
    a URL or anything else that is not a host name is refused."""
    hosts = [host.lower() for host in env_list(name, [])]
    for host in hosts:
        if not _HOSTNAME.fullmatch(host):
            raise ImproperlyConfigured(
                f"{name} must list host names, like intranet.example.com; got {host!r}"
            )
    return hosts
