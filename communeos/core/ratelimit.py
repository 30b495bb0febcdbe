"""A fixed-window rate limit per client address, for the public pages and endpoints.

Counts live in Django's cache. With the default in-process cache each server process
counts on its own (the effective limit is the setting times the number of processes);
`CACHE_BACKEND=database` (settings) shares them between processes in one table.
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    proxies = settings.PUBLIC_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, scope: str, *, per_minute: int | None = None) -> bool:
    """Count this request; False once the client went over its allowance for this minute."""
    limit = per_minute or settings.PUBLIC_RATE_PER_MINUTE
    key = f"rate:{scope}:{client_address(request)}:{_window()}"
    if cache.add(key, 1, timeout=70):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=70)
        return True
    return count <= limit


def _window() -> int:
    """The current minute: the window the counts are kept for."""
    return int(time.time() // 60)
