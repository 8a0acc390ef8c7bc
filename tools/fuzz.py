"""The API fuzz: schemathesis against the served whole-country demo, anonymously and with a key.

``make fuzz`` runs this script with the project's Python. It

1. loads the whole-country demo into a fresh temporary var dir, as the smoke crawl does
   (``--var-dir`` reuses one that is already loaded, e.g. by ``tools/smoke.py --keep``);
2. issues an API key of the ministry's administrator (national) in that var dir, through
   ``accounts.services.issue_api_key``;
3. serves it with ``DEBUG=0`` (``tumbuh serve``, as production does);
4. runs schemathesis on ``/api/v1/openapi.json`` twice, anonymously and with the key, with a
   fixed seed and at most ``--examples`` generated cases per operation (25). Each answer must be
   no server error (``not_a_server_error``), match its declared schema
   (``response_schema_conformance``) and have a declared status (``status_code_conformance``).

It prints one JSON summary line ``{"ok", "cases", "failures": {check: count}, ...}`` and exits
non-zero when any check failed; schemathesis' own report (with the failing requests, as curl
commands) is printed above it. The payment notification endpoint is left out: every generated
body is rightly refused as unsigned, and the provider is not a client to fuzz as.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from smoke import ROOT, load_demo, server_tracebacks, serving

CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance")
EXCLUDED_PATHS = r"^/api/v1/stores/payments/notifications$"
ISSUE_KEY = """
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.services import issue_api_key, system_actor
ministry = Organisation.objects.get(kind=Organisation.Kind.MINISTRY, region_code="")
_key, secret = issue_api_key(
    organisation=ministry, label="fuzz", role=Membership.Role.ADMIN, by=system_actor()
)
print(secret)
"""


def issue_key(var_dir: Path) -> str:
    env = {**os.environ, "TUMBUH_VAR_DIR": str(var_dir)}
    for name in ("DEBUG", "SECRET_KEY", "TUMBUH_DATA_KEY", "DATABASE_URL"):
        env.pop(name, None)
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", "shell", "--no-imports", "-c", ISSUE_KEY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def schemathesis(base_url: str, *, examples: int, junit: Path, key: str = "") -> int:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base_url}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(examples),
        "--generation-deterministic",
        # Generated wrong keys would lock the address out (as they should) and hide the rest.
        "--generation-with-security-parameters",
        "false",
        "--exclude-path-regex",
        EXCLUDED_PATHS,
        "--request-timeout",
        "30",
        # One worker: with two threads, Hypothesis parses lambda sources with ``ast`` in both at
        # once, and this CPython 3.11 shares the AST converter's recursion counter between
        # threads, which failed a CI run at random with "AST constructor recursion depth
        # mismatch" (a tool error, not an answer of the API).
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--no-color",
    ]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    shown = " ".join(command[1:]).replace(key, "<key>") if key else " ".join(command[1:])
    print(f"fuzz: st {shown}", file=sys.stderr, flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603


def failures_in(junit: Path) -> tuple[int, dict[str, int]]:
    """The test cases run and the failures per check, from schemathesis' JUnit report."""
    if not junit.exists():
        return 0, {"report-missing": 1}
    root = ElementTree.parse(junit).getroot()  # noqa: S314 - our own report file
    cases = 0
    failures: dict[str, int] = {}
    for case in root.iter("testcase"):
        cases += 1
        for failure in [*case.iter("failure"), *case.iter("error")]:
            text = (failure.get("message") or "") + " " + (failure.text or "")
            named = [check for check in CHECKS if _check_title(check) in text] or ["other"]
            for check in named:
                failures[check] = failures.get(check, 0) + 1
    return cases, failures


def _check_title(check: str) -> str:
    return {
        "not_a_server_error": "Server error",
        "response_schema_conformance": "Response violates schema",
        "status_code_conformance": "Undocumented status code",
    }[check]


def parse_arguments(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="cases per operation (25)")
    parser.add_argument("--var-dir", type=Path, help="a var dir with the demo already loaded")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    var_dir = arguments.var_dir or Path(tempfile.mkdtemp(prefix="tumbuh-fuzz-"))
    log_path = var_dir / "fuzz-serve.log"
    summary: dict = {"summary": True}
    try:
        if arguments.var_dir is None:
            summary["demo_seconds"] = round(load_demo(var_dir, var_dir / "demo-report.json"), 1)
        key = issue_key(var_dir)
        runs = {}
        with serving(var_dir, log_path) as base_url:
            for who, secret in (("api_key", key), ("anonymous", "")):
                junit = var_dir / f"fuzz-{who}.xml"
                code = schemathesis(base_url, examples=arguments.examples, junit=junit, key=secret)
                cases, failures = failures_in(junit)
                runs[who] = {"exit": code, "operations": cases, "failures": failures}
        total: dict[str, int] = {}
        for run in runs.values():
            for check, count in run["failures"].items():
                total[check] = total.get(check, 0) + count
        summary.update(
            ok=all(run["exit"] == 0 for run in runs.values()) and not total,
            runs=runs,
            failures=total,
            seconds=round(time.perf_counter() - started, 1),
        )
        print(json.dumps(summary), flush=True)
        if total.get("not_a_server_error"):
            print("fuzz: the server's error log:\n" + server_tracebacks(log_path), file=sys.stderr)
        return 0 if summary["ok"] else 1
    finally:
        if arguments.var_dir is None and not arguments.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        elif arguments.keep:
            print(f"fuzz: kept {var_dir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
