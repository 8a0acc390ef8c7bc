"""Models of the stores app: the catalogue side (store.py) and the orders side (orders.py)."""

from .store import *  # noqa: F403
from .store import __all__ as _store_all

try:  # orders.py is written by the orders part of the app; absent until it lands
    from .orders import *  # noqa: F403
    from .orders import __all__ as _orders_all
except ModuleNotFoundError as error:  # pragma: no cover - only before orders.py exists
    if error.name != f"{__name__}.orders":
        raise
    _orders_all = []

__all__ = [*_store_all, *_orders_all]
