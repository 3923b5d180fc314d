"""People's names from the user directory, for the de-identification stage."""

import time

from django.contrib.auth import get_user_model

_TTL_SECONDS = 60.0
_cache: tuple[float, list[str]] = (0.0, [])


def directory_names() -> list[str]:
    """Full names (and surnames alone) of active users; refreshed every minute."""
    global _cache
    loaded_at, names = _cache
    if time.monotonic() - loaded_at < _TTL_SECONDS:
        return names
    found: set[str] = set()
    for first, last in get_user_model().objects.filter(is_active=True).values_list("first_name", "last_name"):
        full = f"{first} {last}".strip()
        if full:
            found.add(full)
        if last and len(last) > 2:
            found.add(last)
    _cache = (time.monotonic(), sorted(found))
    return _cache[1]
