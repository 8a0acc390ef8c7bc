"""The smoke crawl: the whole-country demo, served as in production, visited by every demo login.

``make smoke`` runs this script with the project's Python. It

1. loads the whole-country demo into a fresh temporary var dir (``tumbuh demo --no-serve
   --report``, SQLite), which also writes the printed URLs and demo logins as JSON;
2. starts ``tumbuh serve`` with ``DEBUG=0`` on a free local port (the demo's generated
   ``secret_key`` and ``data_key``; ``SECURE_SSL_REDIRECT=0`` because there is no TLS here.
   Chromium treats http://127.0.0.1 as a secure context, so it keeps and sends the ``Secure``
   session and CSRF cookies of the production settings unchanged);
3. signs in through the real ``/masuk/`` form as every demo login, and also browses as an
   anonymous visitor, in a 360 px wide Chromium. Each visitor starts from every URL the demo
   prints (and the page it lands on after signing in) and follows same-site links to depth 2:
   the printed URLs first, then kinds of page (Django URL names) it has not seen, shallowest
   first, then more pages of the kinds it has seen least, up to ``--cap`` pages (70). Two
   visitors crawl at once (``--jobs``), each in its own Chromium.

It prints one JSON line per page ``{url, login, status, bytes, ms, problems}`` and a summary
line, then exits non-zero when any page broke a rule (after crawling everything):

``server-error``  a 5xx answer to the page or to anything it loaded;
``resource``      an image, stylesheet, script or font that did not load (4xx/5xx or failed);
``overflow``      the page is wider than the 360 px viewport (``documentElement.scrollWidth``;
                  overflow inside an element that scrolls horizontally, such as a console
                  ``.table-scroll`` box, is clipped by that box and does not count);
``budget``        a storefront, product, catalogue, mentor or supply page whose HTML and
                  stylesheets, as transferred (compressed bodies, from the network), exceed 14 KB;
``csp``           the browser blocked something under the Content Security Policy (an inline
                  style whose hash the policy lacks, an inline script);
``nik``           a full NIK in a page (served HTML, rendered text and URL) or a download;
``axe``           a serious or critical axe-core violation on a public, seller or mentor page
                  (axe checks the first two pages of each kind per visitor: ``--axe-per-route``);
``crawl``         a demo login could not sign in, or the browser failed for a visitor (the other
                  visitors go on).

A 4xx page is counted (``client_errors`` in the summary) without failing the run: visitors
follow links to pages their role may not open, and the refusal is the correct answer.

The rules are plain functions in ``tools/smoke_rules.py``; this script drives the demo, the server
and the browsers. Both are tested by ``tumbuh/core/tests/test_smoke_rules.py``, which loads them by
their paths (``tools/`` is not part of the ``tumbuh`` package that is installed and deployed).
The Playwright and axe imports are inside the crawl, so importing this module needs neither.

Run ``.venv/bin/python tools/smoke.py --help`` for the options: ``--base-url`` with ``--report``
crawls a server that already runs, ``--login`` limits the crawl to some visitors, ``--keep``
keeps the var dir.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from smoke_rules import (
    ANONYMOUS,
    AXE_IMPACTS,
    AXE_TAGS,
    OVERFLOW_SCRIPT,
    RESOURCE_TYPES,
    ROOT,
    VIEWPORT_HEIGHT,
    VIEWPORT_WIDTH,
    PageRecord,
    budget_problem,
    checks_accessibility,
    download_text,
    find_niks,
    link_kind,
    normalise_link,
    overflow_problem,
    page_kind,
    priority,
    relative,
    resource_problems,
    route_of,
    summarise,
    visit_key,
)

# --- the crawl ----------------------------------------------------------------------------------

IMAGES_SCRIPT = """() => Array.from(document.images).map(img => ({
  src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth
}))"""


@dataclass
class Visitor:
    login: str
    password: str = ""
    who: str = ""


class Crawler:
    """Visitors crawl in ``jobs`` threads, each with its own Playwright and Chromium; each visitor
    gets its own context (cookies), one page and one crawl."""

    def __init__(
        self,
        *,
        base_url: str,
        seeds: list[str],
        cap: int,
        depth: int,
        timeout_ms: int,
        axe_per_route: int,
    ):
        self.base_url = base_url.rstrip("/")
        self.seeds = seeds
        self.cap = cap
        self.depth = depth
        self.timeout_ms = timeout_ms
        self.axe_per_route = axe_per_route
        self.records: list[PageRecord] = []
        self.language_switched = False
        self.checked_images: dict[str, int | None] = {}
        self.lock = threading.Lock()
        self.axe = None

    def run(self, visitors: list[Visitor], jobs: int = 1) -> list[PageRecord]:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        waiting = queue.SimpleQueue()
        for visitor in visitors:
            waiting.put(visitor)
        errors = []

        def work():
            try:
                self.run_thread(waiting)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(max(1, jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return self.records

    def run_thread(self, waiting: queue.SimpleQueue) -> None:
        from playwright.sync_api import sync_playwright

        from tumbuh.core.tests.browser import CHROMIUM_ARGS, chromium_path

        executable = chromium_path()
        if executable is None:
            raise SystemExit("smoke: no chromium on PATH (apt-get install chromium)")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            try:
                while True:
                    try:
                        visitor = waiting.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        self.crawl(browser, visitor)
                    except Exception as error:  # the other visitors still crawl
                        message = str(error).splitlines()[0] if str(error) else repr(error)
                        self.emit(
                            PageRecord(
                                url="(crawl)",
                                login=visitor.login,
                                status=None,
                                bytes=0,
                                ms=0,
                                kind="crawl",
                                problems=[f"crawl: stopped: {message}"],
                            )
                        )
            finally:
                browser.close()

    # -- one visitor --

    def crawl(self, browser, visitor: Visitor) -> None:
        context = browser.new_context(
            viewport={"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT},
            is_mobile=True,
            has_touch=True,
            service_workers="block",  # measure the network, not a worker's cache
            locale="id-ID",
            timezone_id="Asia/Jakarta",
        )
        context.set_default_timeout(self.timeout_ms)
        page = context.new_page()
        # Every page is measured as a first visit: nothing from the browser's cache.
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        events = PageEvents(page)
        try:
            seeds = [self.base_url + path for path in self.seeds]
            if visitor.login != ANONYMOUS:
                landing = self.sign_in(page, visitor, events)
                if landing is None:
                    return
                seeds.insert(0, landing)
            self.visit_all(page, context, visitor, events, seeds)
        finally:
            context.close()

    def sign_in(self, page, visitor: Visitor, events) -> str | None:
        started = time.perf_counter()
        events.reset()
        problems = []
        try:
            page.goto(self.base_url + "/masuk/")
            page.fill("input[name=username]", visitor.login)
            page.fill("input[name=password]", visitor.password)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        except Exception as error:  # any browser error is a failed sign-in
            problems.append(f"crawl: sign-in failed: {str(error).splitlines()[0]}")
        landing = page.url
        if not problems and urlsplit(landing).path.startswith("/masuk/"):
            problems.append("crawl: sign-in refused (still on /masuk/)")
        problems += events.server_errors()
        record = PageRecord(
            url="/masuk/ (sign-in)",
            login=visitor.login,
            status=events.document_status,
            bytes=0,
            ms=round((time.perf_counter() - started) * 1000),
            kind="public",
            problems=problems,
        )
        self.emit(record)
        return None if problems else landing

    def visit_all(self, page, context, visitor, events, seeds: list[str]) -> None:
        frontier: list[tuple[int, int, str]] = []  # (depth, order, url)
        queued: set[str] = set()
        visited: set[str] = set()
        routes: Counter[str] = Counter()
        checked: Counter[str] = Counter()  # axe runs per kind of page
        order = 0
        for url in seeds:
            url = normalise_link(url, url)
            if url and visit_key(url) not in queued:
                queued.add(visit_key(url))
                frontier.append((0, order, url))
                order += 1
        count = 0
        while frontier and count < self.cap:
            best = min(
                frontier, key=lambda item: priority(item[0], routes[route_of(item[2])], item[1])
            )
            frontier.remove(best)
            depth, _order, url = best
            routes[route_of(url)] += 1
            kind = link_kind(url)
            if kind == "skip":
                continue
            if kind == "language":
                with self.lock:
                    if self.language_switched:
                        continue
                    self.language_switched = True
            count += 1
            if kind == "download":
                self.emit(self.download(context, visitor, url))
                continue
            record, links = self.visit(page, visitor, events, url, visited, checked)
            self.emit(record)
            if depth >= self.depth:
                continue
            for link in links:
                key = visit_key(link)
                if key not in queued:
                    queued.add(key)
                    frontier.append((depth + 1, order, link))
                    order += 1

    def visit(self, page, visitor, events, url, visited, checked) -> tuple[PageRecord, list[str]]:
        events.reset()
        started = time.perf_counter()
        response = None
        problems: list[str] = []
        try:
            response = page.goto(url, wait_until="load")
        except Exception as error:  # reported as the page's problem
            message = str(error).splitlines()[0]
            if "Download is starting" in message:
                return self.download(page.context, visitor, url), []
            problems.append(f"server-error: did not load: {message}")
        ms = round((time.perf_counter() - started) * 1000)
        final = page.url
        final_path = urlsplit(final).path
        kind = page_kind(final_path)
        record = PageRecord(
            url=relative(url),
            login=visitor.login,
            status=response.status if response else None,
            bytes=0,
            ms=ms,
            kind=kind,
            problems=problems,
        )
        if response is None:
            return record, []
        if final != url:
            record.url = f"{relative(url)} -> {relative(final)}"
        problems += events.server_errors()
        problems += events.csp_violations()
        for nik in find_niks(final) + find_niks(_text_of(response)):
            problems.append(f"nik: a full NIK ({nik}) in the page")
        again = visit_key(final) in visited
        visited.add(visit_key(final))
        if again or record.status >= 400 or not _is_html(response):
            # An error page, a file, or a redirect to a page this visitor has already checked.
            problems += resource_problems(events.broken_resources())
            return record, []
        with contextlib.suppress(Exception):
            for nik in find_niks(page.content()):
                if not any(nik in problem for problem in problems):
                    problems.append(f"nik: a full NIK ({nik}) in the rendered page")
        record.bytes = events.html_css_bytes(response)
        problems += resource_problems(events.broken_resources() + self.broken_images(page, events))
        if kind != "api":
            layout = page.evaluate(OVERFLOW_SCRIPT)
            record.scroll_width = layout["scrollWidth"]
            problem = overflow_problem(layout["scrollWidth"], layout["culprit"])
            if problem:
                problems.append(problem)
        problem = budget_problem(final_path, record.bytes)
        if problem:
            problems.append(problem)
        # axe takes longer than the rest of a visit: the first pages of each kind (URL name).
        route = route_of(final)
        if checks_accessibility(kind) and checked[route] < self.axe_per_route:
            checked[route] += 1
            problems += self.accessibility_problems(page, record)
        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        return record, [link for href in links if (link := normalise_link(href, final))]

    def download(self, context, visitor, url) -> PageRecord:
        started = time.perf_counter()
        problems = []
        status = None
        try:
            response = context.request.get(url, max_redirects=5)
            status = response.status
            body = response.body()
            if status >= 500:
                problems.append(f"server-error: {status} for the download")
            for nik in find_niks(download_text(body, response.headers.get("content-type", ""))):
                problems.append(f"nik: a full NIK ({nik}) in the download")
        except Exception as error:  # reported as the download's problem
            problems.append(f"server-error: download failed: {str(error).splitlines()[0]}")
        return PageRecord(
            url=relative(url),
            login=visitor.login,
            status=status,
            bytes=0,
            ms=round((time.perf_counter() - started) * 1000),
            kind="download",
            problems=problems,
        )

    def broken_images(self, page, events) -> list[tuple[str, str, str]]:
        """Every image of the page, also those a lazy ``loading`` has not fetched yet."""
        broken = []
        for image in page.evaluate(IMAGES_SCRIPT):
            src = image["src"]
            if not src or src.startswith("data:") or src in events.seen:
                continue
            if image["complete"]:
                if image["width"] == 0:
                    broken.append(("image", "unreadable", src))
                continue
            if src not in self.checked_images:
                try:
                    self.checked_images[src] = page.context.request.get(src).status
                except Exception:  # a failed request is a missing image
                    self.checked_images[src] = None
            status = self.checked_images[src]
            if status is None or status >= 400:
                broken.append(("image", str(status or "failed"), src))
        return broken

    def accessibility_problems(self, page, record: PageRecord) -> list[str]:
        options = {"resultTypes": ["violations"], "runOnly": {"type": "tag", "values": AXE_TAGS}}
        try:
            results = self.axe.run(page, options=options)
        except Exception as error:  # a page axe cannot check is a failure
            return [f"axe: could not run: {str(error).splitlines()[0]}"]
        record.axe_checked = True
        problems = []
        for violation in results.response["violations"]:
            if violation.get("impact") not in AXE_IMPACTS:
                continue
            nodes = violation["nodes"]
            record.axe_nodes += len(nodes)
            targets = ", ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
            problems.append(
                f"axe: {violation['id']} ({violation['impact']}, {len(nodes)}×: {targets})"
            )
        return problems

    def emit(self, record: PageRecord) -> None:
        with self.lock:
            self.records.append(record)
            print(record.line(), flush=True)


class PageEvents:
    """What the page loaded since the last ``reset()``: statuses, failures and sizes."""

    def __init__(self, page):
        self.requests: set = set()
        self.responses: list = []
        self.failures: list = []
        self.seen: set[str] = set()
        self.document_status: int | None = None
        self.blocked: list[str] = []
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_failed)
        page.on("console", self._on_console)

    def reset(self) -> None:
        self.requests = set()
        self.responses = []
        self.failures = []
        self.seen = set()
        self.document_status = None
        self.blocked = []

    def _on_console(self, message) -> None:
        # Chromium reports what the Content Security Policy blocked as a console error.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.blocked.append(message.text.split(". ")[0][:200])

    def csp_violations(self) -> list[str]:
        return [f"csp: {text}" for text in self.blocked]

    def _on_request(self, request) -> None:
        self.requests.add(request)
        self.seen.add(request.url)

    def _on_response(self, response) -> None:
        if response.request in self.requests:
            self.responses.append(response)
            if response.request.resource_type == "document" and response.status < 300:
                self.document_status = response.status

    def _on_failed(self, request) -> None:
        # A request of the previous page, cut short by leaving it, is not this page's failure.
        if request in self.requests:
            self.failures.append(request)

    def server_errors(self) -> list[str]:
        return [
            f"server-error: {response.status} for {relative(response.url)}"
            for response in self.responses
            if response.status >= 500
        ]

    def broken_resources(self) -> list[tuple[str, str, str]]:
        broken = [
            (response.request.resource_type, str(response.status), response.url)
            for response in self.responses
            if response.request.resource_type in RESOURCE_TYPES and 400 <= response.status < 500
        ]
        broken += [
            (request.resource_type, request.failure or "failed", request.url)
            for request in self.failures
            if request.resource_type in RESOURCE_TYPES
        ]
        return broken

    def html_css_bytes(self, document) -> int:
        """The page's HTML and its stylesheets as transferred: encoded (compressed) bodies."""
        total = _body_size(document)
        for response in self.responses:
            if response.request.resource_type == "stylesheet" and response.status < 400:
                total += _body_size(response)
        return total


def _body_size(response) -> int:
    try:
        return response.request.sizes()["responseBodySize"]
    except Exception:  # a response without sizes (from a redirect) counts as 0
        return 0


def _text_of(response) -> str:
    try:
        return response.text()
    except Exception:  # a body Chromium did not keep
        return ""


def _is_html(response) -> bool:
    return "html" in response.headers.get("content-type", "")


# --- the run ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_report(path: Path) -> tuple[list[str], list[Visitor]]:
    """The demo's printed URLs (paths) and logins, from ``tumbuh demo --report``."""
    data = json.loads(path.read_text())
    paths = []
    for link in data["links"]:
        if link["path"] not in paths:
            paths.append(link["path"])
    visitors = [Visitor(item["login"], item["password"], item["who"]) for item in data["logins"]]
    return paths, visitors


def load_demo(var_dir: Path, report: Path) -> float:
    env = {**os.environ, "TUMBUH_VAR_DIR": str(var_dir)}
    for name in ("DEBUG", "SECRET_KEY", "TUMBUH_DATA_KEY", "DATABASE_URL"):
        env.pop(name, None)  # the embedded default: SQLite and generated keys in the var dir
    started = time.perf_counter()
    command = [sys.executable, "-m", "tumbuh.cli", "demo", "--no-serve", "--report", str(report)]
    print(f"smoke: {' '.join(command[2:])} (TUMBUH_VAR_DIR={var_dir})", file=sys.stderr)
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return time.perf_counter() - started


def server_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    env.update(
        DEBUG="0",
        TUMBUH_VAR_DIR=str(var_dir),
        SECRET_KEY=(var_dir / "secret_key").read_text().strip(),
        TUMBUH_DATA_KEY=(var_dir / "data_key").read_text().strip(),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        # No TLS on this loopback server. Everything else stays as in production: the session and
        # CSRF cookies remain Secure, which Chromium accepts from http://127.0.0.1.
        SECURE_SSL_REDIRECT="0",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    return env


@contextlib.contextmanager
def serving(var_dir: Path, log_path: Path):
    """``tumbuh serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    env = server_env(var_dir, port)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tumbuh.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for(base_url + "/healthz", server)
            yield base_url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def wait_for(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"smoke: tumbuh serve stopped (exit {server.returncode})")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 - loopback
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"smoke: {url} did not answer within {seconds:.0f} s")


def server_tracebacks(log_path: Path) -> str:
    """The server log's error reports (Django logs a 500 with its traceback)."""
    if not log_path.exists():
        return ""
    lines = log_path.read_text(errors="replace").splitlines()
    keep, out = False, []
    for line in lines:
        if " ERROR " in line:
            keep = True
        elif re.match(r"^\d{4}-\d\d-\d\d |^\[\d{4}|^127\.0\.0\.1 ", line):
            keep = False
        if keep:
            out.append(line)
    return "\n".join(out[-200:])


def setup_django() -> None:
    """Django's URL resolver for ``route_of``: no database, so keys made up for this process
    (settings refuse to start without them when DEBUG is off, and write nothing then)."""
    import base64
    import secrets

    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        TUMBUH_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def parse_arguments(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap", type=int, default=70, help="pages per visitor (default 70)")
    parser.add_argument("--depth", type=int, default=2, help="link depth (default 2)")
    parser.add_argument(
        "--login",
        action="append",
        default=[],
        help=f"crawl only as this login (repeatable; '{ANONYMOUS}' is the anonymous visitor)",
    )
    parser.add_argument("--timeout", type=int, default=30, help="seconds per page (default 30)")
    parser.add_argument(
        "--axe-per-route",
        type=int,
        default=2,
        help="axe runs per visitor and URL name (default 2; axe is the slow part of a visit)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="visitors crawling at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    parser.add_argument("--base-url", help="crawl this running server instead (needs --report)")
    parser.add_argument("--report", type=Path, help="the demo's --report JSON (with --base-url)")
    arguments = parser.parse_args(argv)
    if bool(arguments.base_url) != bool(arguments.report):
        parser.error("--base-url and --report go together")
    return arguments


def crawl(arguments, base_url: str, report: Path) -> list[PageRecord]:
    setup_django()
    paths, visitors = read_report(report)
    visitors = [Visitor(ANONYMOUS), *visitors]
    if arguments.login:
        visitors = [visitor for visitor in visitors if visitor.login in arguments.login]
    crawler = Crawler(
        base_url=base_url,
        seeds=paths,
        cap=arguments.cap,
        depth=arguments.depth,
        timeout_ms=arguments.timeout * 1000,
        axe_per_route=arguments.axe_per_route,
    )
    return crawler.run(visitors, jobs=arguments.jobs)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    if arguments.base_url:
        records = crawl(arguments, arguments.base_url, arguments.report)
        summary = summarise(records, time.perf_counter() - started)
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        return 0 if summary["ok"] else 1
    var_dir = Path(tempfile.mkdtemp(prefix="tumbuh-smoke-"))
    log_path = var_dir / "serve.log"
    try:
        report = var_dir / "demo-report.json"
        demo_seconds = load_demo(var_dir, report)
        print(f"smoke: demo loaded in {demo_seconds:.1f} s", file=sys.stderr)
        with serving(var_dir, log_path) as base_url:
            print(f"smoke: serving on {base_url}", file=sys.stderr)
            records = crawl(arguments, base_url, report)
        summary = summarise(records, time.perf_counter() - started)
        summary["demo_seconds"] = round(demo_seconds, 1)
        print(json.dumps(summary, ensure_ascii=False), flush=True)
        if summary["failures"]["server-error"]:
            print("smoke: the server's error log:\n" + server_tracebacks(log_path), file=sys.stderr)
        return 0 if summary["ok"] else 1
    finally:
        if arguments.keep:
            print(f"smoke: kept {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
