"""Cross-app hooks, listed in settings: how a lower app lets higher ones take part.

A lower app never imports a higher one (see docs/architecture.md). Where it must let them act —
a milestone that completes enrolments, the next steps a programme offers, who a mentor may
assess, the work a person holds — it calls the functions that a setting lists by dotted path, in
order, explicitly at the point where it matters. Nothing is registered by importing a module, so
the settings and docs/architecture.md show every such path. Tests change the list with
``settings`` overrides.
"""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["hooks"]


def hooks(setting: str) -> list[Callable]:
    """The functions the setting ``setting`` lists, in its order."""
    return [_function(path) for path in getattr(settings, setting)]


@cache
def _function(path: str) -> Callable:
    return import_string(path)
