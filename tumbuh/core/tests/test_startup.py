"""Start-up stays light: the URL configuration and the command line import no heavy library.

Every ``tumbuh`` command runs Django's system checks, which import the URL configuration, and
every server process imports it too; the URLs import the API and every app's views, and those
their forms, services and models. SciPy, fpdf2, NumPy, shapely, midtransclient and the rest cost
about 2.3 s there on a small machine, so they are imported inside the functions that use them
(or by a module only such functions import): ``connectivity.coverage`` (NumPy, SciPy's KD-tree),
``connectivity.planning.planner`` (``exact``: SciPy's HiGHS), ``programmes.certificates``
(fpdf2, segno), ``stores.gateway`` (midtransclient, requests), ``stores.views.checkout`` (segno),
the capability and connectivity views (``regions.maps``: shapely, NumPy), ``core.images`` and
``stores.images`` (Pillow, zxing-cpp).

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
    "duckdb",
    "shapely",
    "openpyxl",
    "PIL",
    "midtransclient",
    "requests",
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

COMMAND_HELP = f"""
import json, sys
from tumbuh.cli import main
try:
    main(["tumbuh", "plan_sites", "--help"])
except SystemExit:
    pass
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def imported(code: str, tmp_path, **extra: str) -> list[str]:
    """The heavy modules a fresh Python process has imported after running ``code``."""
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


def test_a_command_imports_no_heavy_library_before_it_runs(tmp_path):
    """``tumbuh plan_sites --help``: the planner's SciPy comes only with a solve."""
    assert imported(COMMAND_HELP, tmp_path) == []
