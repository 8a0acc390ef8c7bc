"""The demo-data registry: every app adds its demo data through its own ``demo.py``.

An app's ``demo.py`` defines ``load(*, seed: int, report: DemoReport) -> None``. ``tumbuh demo``
calls them in the order of ``INSTALLED_APPS`` (lower parts first) with one seed, so a later part
adds its data without touching the command. Every ``load`` must be idempotent: running the demo
twice reuses what exists and duplicates nothing.
"""

import hashlib
import hmac
import importlib
import importlib.util
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings


@dataclass
class DemoLogin:
    login: str
    password: str
    who: str


@dataclass
class DemoReport:
    """What the demo loaders made, printed at the end of ``tumbuh demo``."""

    logins: list[DemoLogin] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add_login(self, login: str, password: str, who: str) -> None:
        """Print ``login``; a later part that gives the same login more to do says who it is."""
        for index, known in enumerate(self.logins):
            if known.login == login:
                self.logins[index] = DemoLogin(login, password, who)
                return
        self.logins.append(DemoLogin(login, password, who))

    def add_link(self, path: str, what: str) -> None:
        self.links.append((path, what))

    def say(self, line: str) -> None:
        self.lines.append(line)


def demo_password(login: str, seed: int) -> str:
    """A password for a demo login, stable for this installation and seed but not in the code.

    It is derived from the installation's SECRET_KEY, so the demo can print the same password on
    every run without storing it, and nobody can read it from the repository.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"demo:{seed}:{login}".encode(), hashlib.sha256
    ).hexdigest()
    return f"tumbuh-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def demo_modules():
    """The ``demo`` modules of the installed apps, in dependency order."""
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("tumbuh.") and importlib.util.find_spec(name):
            yield importlib.import_module(name)


def load_all(*, seed: int) -> DemoReport:
    report = DemoReport()
    for module in demo_modules():
        module.load(seed=seed, report=report)
    return report
