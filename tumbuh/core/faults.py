"""Fault-injection points: where the fault tests stop a process in the middle of its work.

``pause_point(name)`` does nothing unless the environment variable ``TUMBUH_FAULT_PAUSE`` names
the point (a comma-separated list; ``name:N`` for the N-th time this process reaches it). Then
the process writes its id to ``<TUMBUH_VAR_DIR>/faults/<name>.pid`` and sleeps, so that a test
can kill it exactly there (``tumbuh/registry/tests/test_import_faults.py``,
``tumbuh/stores/tests/test_order_faults.py``). A point pauses once per var directory: the
process that takes over after the kill goes through.

This is a test hook, not configuration, so it is read here and not in the settings.
"""

import os
import time
from collections import Counter

from django.conf import settings

ENVIRONMENT_VARIABLE = "TUMBUH_FAULT_PAUSE"
PAUSE_SECONDS = 60

_reached: Counter[str] = Counter()


def pause_point(name: str) -> None:
    """Pause here, once, if ``TUMBUH_FAULT_PAUSE`` names this point; otherwise do nothing."""
    wanted = os.environ.get(ENVIRONMENT_VARIABLE)
    if not wanted:
        return
    _reached[name] += 1
    for item in wanted.split(","):
        point, _colon, nth = item.strip().partition(":")
        if point != name or _reached[name] != int(nth or 1):
            continue
        marker = settings.VAR_DIR / "faults" / f"{name}.pid"
        if marker.exists():
            return
        marker.parent.mkdir(parents=True, exist_ok=True)
        written = marker.with_suffix(".tmp")
        written.write_text(str(os.getpid()))
        written.replace(marker)  # whole, for the test that reads it
        time.sleep(PAUSE_SECONDS)
