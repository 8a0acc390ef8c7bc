"""Models of the stores app: the catalogue side (store.py) and the orders side (orders.py)."""

from .orders import *  # noqa: F403
from .orders import __all__ as _orders_all
from .store import *  # noqa: F403
from .store import __all__ as _store_all

__all__ = [*_store_all, *_orders_all]
