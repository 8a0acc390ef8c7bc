"""The system's Chromium, driven by Playwright, for the browser tests.

Playwright's own browser download does not work here (and CI installs Debian's ``chromium``),
so the tests launch the Chromium on ``PATH``. Without it the browser tests are skipped, unless
``TUMBUH_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes its absence a failure.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_required() -> bool:
    return os.environ.get("TUMBUH_REQUIRE_BROWSER") == "1"


def unavailable(reason: str):
    """Skip the browser tests, or fail them when a browser is required."""
    if browser_required():
        pytest.fail(f"{reason} (TUMBUH_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium")


def launch(playwright):
    """The system Chromium, headless, with nothing that reaches the network on its own."""
    path = chromium_path()
    if path is None:
        unavailable("no chromium on PATH")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
