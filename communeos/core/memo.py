"""Per-process caches of reference data that changes rarely (the procedure catalogue, the
communes in force): the public intake reads them on every request, and a minute of
staleness is harmless because such data changes by adding a new dated row, not in place.

    PROCEDURES = memo.Timed("onestop.procedure_by_code", seconds=60)
    procedure = PROCEDURES.get((code, day), lambda: query(code, day))

Values are shared by the threads of one process: cache only objects that callers read.
Tests start each test with empty caches (`clear_all`, an autouse fixture): a test's rolled
back rows must not outlive it here.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_ALL: list["Timed"] = []


class Timed:
    def __init__(self, name: str, *, seconds: float, size: int = 1000):
        self.name = name
        self.seconds = seconds
        self.size = size
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and now - hit[0] <= self.seconds:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._items) >= self.size:
                self._items.clear()
            self._items[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def clear_all() -> None:
    for cache in _ALL:
        cache.clear()
