"""``core`` is the bottom layer: no module under tumbuh/core/ imports another part of the project.

A static scan of every import statement, including those inside functions (a lazy import is a
dependency all the same), relative imports, and ``import_module``, ``import_string`` or
``__import__`` with a literal name. What ``core`` finds at run time through the app registry (the
apps' ``demo.py``, :func:`tumbuh.core.demodata.demo_modules`) or through settings (the hooks of
``core/hooks.py``) is not an import of a named app and is allowed.

Tests under ``tumbuh/core/tests/`` are left out: they check core's helpers against real rows of
the apps above (a village's time zone, the whole demo), with every app installed, and nothing in
core's code imports them.
"""

import ast
from pathlib import Path

import pytest

import tumbuh.core

PROJECT = "tumbuh"
CORE = "tumbuh.core"
CORE_DIR = Path(tumbuh.core.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE_DIR.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False):
    """(line, module) for every module that ``source`` (the module ``module``) imports."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module
            yield node.lineno, origin
            # "from tumbuh import regions" imports the module tumbuh.regions
            for alias in node.names:
                yield node.lineno, f"{origin}.{alias.name}"
        elif isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name in {"import_module", "import_string", "__import__"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield node.lineno, first.value


def is_outside_core(name: str) -> bool:
    """A module of the project that is not core: another app, or the project's wiring (the
    ``tumbuh`` package itself is imported with any of its modules, and is no app)."""
    if not name.startswith(PROJECT + "."):
        return False
    return not (name == CORE or name.startswith(CORE + "."))


def core_modules() -> list[Path]:
    return sorted(
        path for path in CORE_DIR.rglob("*.py") if "tests" not in path.relative_to(CORE_DIR).parts
    )


def test_core_imports_no_other_app_of_the_project():
    found = []
    for path in core_modules():
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        for line, name in imported_modules(source, module, is_package=path.name == "__init__.py"):
            if is_outside_core(name):
                found.append(f"{path.relative_to(CORE_DIR.parent.parent)}:{line} imports {name}")
    assert found == []


def test_the_scan_covers_core_and_leaves_out_its_tests():
    names = {module_name(path) for path in core_modules()}
    assert {"tumbuh.core.validators", "tumbuh.core.demodata", "tumbuh.core"} <= names
    assert "tumbuh.core.templatetags.tumbuh" in names
    assert not any(".tests" in name for name in names)


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        (
            "from tumbuh.regions.boundaries import layer",
            "tumbuh.core.x",
            "tumbuh.regions.boundaries",
        ),
        ("def f():\n    from tumbuh.regions import services\n", "tumbuh.core.x", "tumbuh.regions"),
        ("import tumbuh.cli", "tumbuh.core.x", "tumbuh.cli"),
        ("from tumbuh import cli", "tumbuh.core.x", "tumbuh.cli"),
        ("from ..regions import maps", "tumbuh.core.x", "tumbuh.regions"),
        (
            "from ...registry.models import Enterprise",
            "tumbuh.core.templatetags.x",
            "tumbuh.registry.models",
        ),
        ("importlib.import_module('tumbuh.stores.demo')", "tumbuh.core.x", "tumbuh.stores.demo"),
        ("__import__('tumbuh.accounts')", "tumbuh.core.x", "tumbuh.accounts"),
        (
            "import_string('tumbuh.programmes.offers.offers')",
            "tumbuh.core.x",
            "tumbuh.programmes.offers.offers",
        ),
    ],
)
def test_the_scan_finds_every_kind_of_import_of_another_app(source, module, expected):
    names = [name for _line, name in imported_modules(source, module)]
    assert expected in names
    assert any(is_outside_core(name) for name in names)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from tumbuh.core.validators import normalise_phone", "tumbuh.core.x"),
        ("from . import personal", "tumbuh.core.x"),
        ("from ..validators import validate_nik", "tumbuh.core.templatetags.tumbuh"),
        ("from tumbuh.core import personal", "tumbuh.core.x"),
        ("import_module(f'{config.name}.demo')", "tumbuh.core.demodata"),
        ("from django.apps import apps", "tumbuh.core.x"),
        ("import tumbuhan", "tumbuh.core.x"),
        ("from tumbuh import core", "tumbuh.core.x"),
    ],
)
def test_the_scan_allows_core_itself_and_the_app_registry(source, module):
    names = [name for _line, name in imported_modules(source, module)]
    assert not [name for name in names if is_outside_core(name)]
