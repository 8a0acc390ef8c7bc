"""Start-up stays light: the URL configuration and the command line import no heavy library.

Every ``tumbuh`` command runs Django's system checks, which import the URL configuration, and
every server process imports it too; the URLs import the API and every app's views, and those
their forms, services and models. SciPy, fpdf2, NumPy, shapely, midtransclient and the rest cost
about 2.3 s there on a small machine, so they are imported inside the functions that use them
(or by a module only such functions import): ``connectivity.coverage`` (NumPy, SciPy's KD-tree),
``connectivity.planning.planner`` (``exact``: SciPy's HiGHS), ``programmes.certificates``
(fpdf2, segno), ``stores.gateway`` (midtransclient, requests), ``stores.views.checkout`` (segno),
the capability and connectivity views (``regions.maps``: shapely, NumPy), ``core.images`` and
``stores.images`` (Pillow, zxing-cpp), ``core.validators`` (phonenumbers' numbering plans) and
``core.personal`` (cryptography). The registry's duplicate resolution (DuckDB, pyarrow, Splink
and its sqlglot) is run by tasks and commands that import it where they call it.

What is left is mostly Django, psycopg (``django.contrib.postgres``) and the API: some 350
pydantic models, the apps' schemas and those django-ninja makes for each operation. Their
validators are built when first used (``core.apps.defer_api_schema_building``); the last test
checks that loading the URLs builds none of them.

Each check runs in a fresh Python process: this test process has imported everything already.
Nothing is left out of the list. Pillow is asserted absent after the URL import only: ``tumbuh
check`` itself still imports it, because Django's check of an ``ImageField`` imports Pillow to
see that it is installed.
"""

import json
import subprocess
import sys

import pytest

from tumbuh.core.tests.processes import ROOT, environment

HEAVY = [
    "scipy",
    "numpy",
    "fpdf",
    "segno",
    "zxingcpp",
    "splink",
    "sqlglot",
    "duckdb",
    "pyarrow",
    "shapely",
    "openpyxl",
    "PIL",
    "midtransclient",
    "requests",
    "phonenumbers",
    "cryptography",
    "rapidfuzz",
]

URLS = f"""
import json, sys
import django
django.setup()
import tumbuh.urls
from django.urls import resolve, reverse
assert resolve(reverse("admin:index")).url_name == "index"
assert resolve("/api/v1/docs").route
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""

CHECK = f"""
import json, sys
from tumbuh.cli import main
main(["tumbuh", "check"])
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules and name != "PIL"]))
"""

# The API's pydantic models that loading and resolving the URLs has built: those of django-ninja
# itself, defined before the apps were ready, are set aside first.
BUILT_SCHEMAS = """
import json
import django
django.setup()
from ninja import Schema
from ninja.params.models import ParamModel

def built():
    found, bases = set(), [Schema, ParamModel]
    while bases:
        model = bases.pop()
        bases.extend(model.__subclasses__())
        if model.__pydantic_complete__:
            found.add(f"{model.__module__}.{model.__qualname__}")
    return found

before = built()
import tumbuh.urls
from django.urls import resolve, reverse
assert resolve(reverse("api:openapi-json")).url_name == "openapi-json"
assert resolve("/api/v1/regions/provinces/32/regencies").route
print(json.dumps(sorted(built() - before)))
"""

COMMAND_HELP = f"""
import json, sys
from tumbuh.cli import main
try:
    main(["tumbuh", "plan_sites", "--help"])
except SystemExit:
    pass
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""

# A plan from an empty var directory: the command's checks run, then its first query fails (no
# tables), which is as far as this needs to go.
PLAN = """
import json, sys
from tumbuh.cli import main
try:
    main(["tumbuh", "plan_sites", "--budget-idr", "1000000000", "--solver", "greedy"])
except Exception as error:
    assert "no such table" in str(error), error
else:
    raise AssertionError("planned without a database")
print(json.dumps([name for name in ("tumbuh.urls", "tumbuh.api") if name in sys.modules]))
"""


def imported(code: str, tmp_path, **extra: str) -> list[str]:
    """The JSON list a fresh Python process prints last after running ``code``: the heavy modules
    it has imported, or the schemas it has built."""
    result = subprocess.run(  # noqa: S603 - our own interpreter with our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("debug", ["0", "1"], ids=["production", "development"])
def test_the_urls_import_no_heavy_library(tmp_path, debug):
    assert imported(URLS, tmp_path, DEBUG=debug) == []


def test_tumbuh_check_imports_no_heavy_library(tmp_path):
    """The system checks, which also import the URLs; Pillow is left out (see the docstring)."""
    assert imported(CHECK, tmp_path) == []


def test_loading_the_urls_builds_no_api_schema(tmp_path):
    """Every schema is still to be built after the URLs are loaded, reversed and resolved."""
    assert imported(BUILT_SCHEMAS, tmp_path) == []


def test_a_command_imports_no_heavy_library_before_it_runs(tmp_path):
    """``tumbuh plan_sites --help``: the planner's SciPy comes only with a solve."""
    assert imported(COMMAND_HELP, tmp_path) == []


def test_plan_sites_loads_no_url(tmp_path):
    """The planner runs the models' checks only, not those that import every view and the API."""
    assert imported(PLAN, tmp_path) == []


WSGI = """
import json
import tumbuh.wsgi
from django.core.signals import request_finished
print(json.dumps([str(entry[0][0]) for entry in request_finished.receivers]))
"""


def test_the_served_application_freezes_its_long_lived_objects_after_warm_up(tmp_path):
    """gunicorn's workers load ``tumbuh.wsgi``, which settles each process (core.memory)."""
    assert "tumbuh.core.memory.settle" in imported(WSGI, tmp_path)
