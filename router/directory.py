"""People's names from the user directory, for the de-identification stage."""

import threading
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model

REFRESH_SECONDS = 60.0


class UserDirectory:
    """Full names (and surnames alone) of active users, re-read at most once a minute: a new
    colleague is protected within a minute without a query per request."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._loaded_at: float | None = None
        self._names: list[str] = []

    def names(self) -> list[str]:
        with self._lock:
            now = self._clock()
            if self._loaded_at is None or now - self._loaded_at >= REFRESH_SECONDS:
                self._names, self._loaded_at = _active_user_names(), now
            return self._names


def _active_user_names() -> list[str]:
    found: set[str] = set()
    for first, last in get_user_model().objects.filter(is_active=True).values_list("first_name", "last_name"):
        full = f"{first} {last}".strip()
        if full:
            found.add(full)
        if last and len(last) > 2:
            found.add(last)
    return sorted(found)
