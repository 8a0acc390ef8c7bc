from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tumbuh.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        defer_api_schema_building()


def defer_api_schema_building() -> None:
    """Build each API schema's validator when it is first used, not when its class is defined.

    Importing the URL configuration defines some 350 pydantic models (the apps' schemas, and the
    response and parameter models django-ninja makes for every operation); building their
    validators then was a third of the cost of importing the API (CPU time, median of 9: 0.52 s
    against 0.35 s deferred, on a loaded 2-core machine), paid by every command that loads the
    URLs (``tumbuh check``, every web worker) for endpoints it may never call. Deferred,
    a model is built on its first validation, once per process; what it accepts and returns does
    not change. Set here, after the apps are loaded and before any app's ``schemas`` module is
    imported, on the base classes every schema derives from and on ninja's own subclasses of
    them (a class copies its bases' configuration when it is defined, so ``PathModel`` would not
    see a change to ``ParamModel``). ``ninja`` is already imported as an installed app, so this
    costs nothing. ``tests/test_startup.py`` checks that it holds.
    """
    from ninja import Schema
    from ninja.params.models import ParamModel

    bases = [Schema, ParamModel]
    while bases:
        base = bases.pop()
        base.model_config["defer_build"] = True
        bases.extend(base.__subclasses__())
