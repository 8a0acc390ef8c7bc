"""How many orders one client address may place: ``TUMBUH_ORDER_RATE_PER_MINUTE`` a minute.

The orders API (``POST /api/v1/stores/{slug}/orders``) and the checkout form count every attempt
to place an order, a retry included, by the client's address (``accounts.lockout.client_ip``,
which follows ``TUMBUH_PROXY_COUNT``). Past the limit an attempt is refused
(:class:`TooManyOrders`, answered 429 with ``Retry-After``) before anything is read or written.

The count lives in Django's cache, in fixed one-minute windows, under a keyed hash of the
address (no address is stored). With the default local-memory cache each server process counts
on its own, so N processes let through up to N times the limit; a shared cache (the database
cache, Redis, Memcached) counts once for the whole site. The database cache increments with a
read and a write, so a burst of simultaneous requests may be counted a little short.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from tumbuh.accounts.lockout import client_ip
from tumbuh.core.refusals import Refused
from tumbuh.stores.error_codes import StoresError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class TooManyOrders(Refused):
    """Too many orders from one address this minute; ``retry_after``: seconds until the next."""

    def __init__(self, *, retry_after: int):
        super().__init__(
            StoresError.TOO_MANY_ORDERS,
            ngettext(
                "Too many orders from your connection in one minute. Try again in %(seconds)d "
                "second.",
                "Too many orders from your connection in one minute. Try again in %(seconds)d "
                "seconds.",
                retry_after,
            )
            % {"seconds": retry_after},
        )
        self.retry_after = retry_after


def _clock() -> float:
    return time.time()


def check_order_rate(request) -> None:
    """Count one order attempt from ``request``'s address; ``TooManyOrders`` past the limit."""
    limit = int(getattr(settings, "TUMBUH_ORDER_RATE_PER_MINUTE", 0) or 0)
    if limit <= 0:
        return
    now = _clock()
    address = salted_hmac("tumbuh.stores.ratelimit", client_ip(request)).hexdigest()[:32]
    key = f"tumbuh:stores:order-rate:{address}:{int(now // WINDOW_SECONDS)}"
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry was evicted between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    if count > limit:
        if count == limit + 1:
            logger.info("order rate limit reached (%d a minute) for an address", limit)
        raise TooManyOrders(retry_after=max(1, WINDOW_SECONDS - int(now % WINDOW_SECONDS)))
