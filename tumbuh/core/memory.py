"""Keep the garbage collector's full passes short in a serving process.

Every so often CPython's cyclic collector walks every object the process holds: the framework,
the URL patterns, the templates, the regions read once per process. On the console's registry
lists of a 30 M registry such a pass took 49-77 ms, the slowest two calls of thirty
(docs/scale.md, "Pauses"). Objects that live as long as the process are moved out of its reach
(``gc.freeze``) once the process has served its first requests and loaded what it keeps, so a
full pass walks only what the requests made since. Reference counting still frees everything
as before; only cycles among the frozen objects would wait for the process to end.
"""

import gc
import threading

from django.core.signals import request_finished

# After how many served requests the process freezes what it holds: the first loads the
# framework's lazy parts, the later ones what only some pages read (regions, maps, menus).
FREEZE_AFTER = (1, 20, 200)

_lock = threading.Lock()
_served = 0


def _settle(**_kwargs) -> None:
    global _served
    with _lock:
        _served += 1
        if _served in FREEZE_AFTER:
            # No gc.collect() first: a full pass is the very pause this avoids (it costs what
            # it frees little: the requests' few cycles, which the freeze then keeps).
            gc.freeze()


def settle_after_warm_up() -> None:
    """Freeze the process's long-lived objects after its first requests (``FREEZE_AFTER``)."""
    request_finished.connect(_settle, dispatch_uid="tumbuh.core.memory.settle")


def served_requests() -> int:
    """How many requests this process has counted (for tests)."""
    return _served
