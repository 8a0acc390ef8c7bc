"""A buyer's journey on a slow 2G link, JavaScript off, step by step (budget: catalogue ≤ 8 s).

    .venv/bin/python bench/slow2g.py                       # a fresh whole-country demo, then serve
    .venv/bin/python bench/slow2g.py --var-dir /tmp/demo   # serve the demo loaded in that var dir
    .venv/bin/python bench/slow2g.py --url http://127.0.0.1:8000   # an already served demo

Without ``--url`` it loads the demo into ``--var-dir`` when that has no database yet
(``tumbuh demo --no-serve``), then starts ``tumbuh serve`` there with ``DEBUG=0`` (the var dir's
generated ``secret_key`` and ``data_key``, so the demo data stays readable) on a free local port.

The system's Chromium, driven by Playwright, with JavaScript off and a phone's viewport (360 px),
is slowed down with the DevTools protocol's ``Network.emulateNetworkConditions``: 2,000 ms
latency, 50 kbit/s down and up. Each run starts with an empty browser cache and walks the
journey a buyer on a weak signal takes: the catalogue's first page, a search, a product, its
store, a product of that store, add to cart (a form POST and its redirect), the checkout form.

One JSON line per step and run: ``ttfb_ms`` (request sent → response headers),
``fcp_ms`` (first contentful paint: the text is readable), ``dcl_ms`` (DOMContentLoaded),
``load_ms`` (load event: every image in), ``bytes`` (transferred, headers included, as the
DevTools protocol counts them), ``requests`` and ``from_cache``; all times from the moment the
browser sent the step's request, on the DevTools protocol's clock. Then one line per step with
the medians over the runs, and a summary line (budget, machine, load average before and after).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import machine  # noqa: E402
from bench.serving import free_port, wait_for  # noqa: E402
from tumbuh.core.tests.browser import CHROMIUM_ARGS, chromium_path  # noqa: E402

READABLE_BUDGET_MS = 8000
PHONE = {"width": 360, "height": 740}
METRICS = ("ttfb_ms", "fcp_ms", "dcl_ms", "load_ms", "bytes", "requests", "from_cache")


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


# --- the served demo ----------------------------------------------------------------------------


def tumbuh(*arguments, env: dict, **options):
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments], cwd=ROOT, env=env, **options
    )


def load_demo(var_dir: Path) -> None:
    if (var_dir / "tumbuh.sqlite3").exists():
        return
    started = time.perf_counter()
    env = {**os.environ, "TUMBUH_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    demo = tumbuh("demo", "--no-serve", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = demo.communicate()
    if demo.returncode:
        raise SystemExit(output.decode(errors="replace")[-3000:])
    emit({"demo_loaded": str(var_dir), "seconds": round(time.perf_counter() - started, 1)})


def serve(var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": (var_dir / "secret_key").read_text().strip(),
        "TUMBUH_DATA_KEY": (var_dir / "data_key").read_text().strip(),
        "TUMBUH_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    env.pop("DATABASE_URL", None)
    return tumbuh("serve", "--log-level", "warning", env=env, stdout=subprocess.DEVNULL)


# --- one step, measured -------------------------------------------------------------------------


class Recorder:
    """DevTools protocol events of one page, cleared before each step."""

    NAMES = (
        "Network.requestWillBeSent",
        "Network.responseReceived",
        "Network.loadingFinished",
        "Network.loadingFailed",
        "Network.requestServedFromCache",
        "Page.lifecycleEvent",
        "Page.domContentEventFired",
        "Page.loadEventFired",
    )

    def __init__(self, cdp):
        self.events: list[tuple[str, dict]] = []
        for name in self.NAMES:
            cdp.on(name, lambda event, name=name: self.events.append((name, event)))

    def clear(self) -> None:
        self.events.clear()

    def of(self, name: str) -> list[dict]:
        return [event for event_name, event in self.events if event_name == name]

    def measure(self) -> dict:
        sent = [
            e for e in self.of("Network.requestWillBeSent") if e["request"]["url"][:5] != "data:"
        ]
        document = next(e for e in sent if e.get("type") == "Document")
        started = document["timestamp"]
        # The document that was finally shown: after a POST's redirect, the GET it led to.
        final = document["requestId"]
        answered = [e for e in self.of("Network.responseReceived") if e["requestId"] == final]
        status = answered[-1]["response"]["status"] if answered else None
        ttfb = answered[-1]["timestamp"] - started if answered else None

        def after(name: str, match=lambda event: True):
            times = [e["timestamp"] for e in self.of(name) if match(e)]
            return round((min(times) - started) * 1000) if times else None

        fcp = after("Page.lifecycleEvent", lambda e: e["name"] == "firstContentfulPaint")
        finished = self.of("Network.loadingFinished")
        cached = {e["requestId"] for e in self.of("Network.requestServedFromCache")}
        return {
            "url": answered[-1]["response"]["url"] if answered else document["request"]["url"],
            "status": status,
            "ttfb_ms": round(ttfb * 1000) if ttfb is not None else None,
            "fcp_ms": fcp,
            "dcl_ms": after("Page.domContentEventFired"),
            "load_ms": after("Page.loadEventFired"),
            "bytes": int(sum(e["encodedDataLength"] for e in finished)),
            "requests": len({e["requestId"] for e in sent}),
            "from_cache": len(cached),
            "failed": len(self.of("Network.loadingFailed")),
        }


def step(page, recorder: Recorder, name: str, run: int, action) -> dict:
    recorder.clear()
    with page.expect_navigation(wait_until="load", timeout=120_000):
        action()
    # Lifecycle events (first contentful paint) can trail the load event by a moment.
    page.wait_for_timeout(300)
    result = {"run": run, "step": name, **recorder.measure()}
    emit(result)
    return result


def journey(browser, base: str, run: int, *, latency_ms: int, kbps: float, query: str) -> list:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="id-ID")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    recorder = Recorder(cdp)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Page.enable")
    cdp.send("Page.setLifecycleEventsEnabled", {"enabled": True})
    throughput = kbps * 1000 / 8  # bytes per second
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": throughput,
            "uploadThroughput": throughput,
            "connectionType": "cellular2g",
        },
    )
    results = []
    try:
        results.append(step(page, recorder, "catalogue", run, lambda: page.goto(f"{base}/bbi/")))
        search = page.locator("form[role=search] input[name=q]")

        def search_for():
            search.fill(query)
            page.locator("form[role=search] button[type=submit]").first.click()

        results.append(step(page, recorder, "search", run, search_for))
        if page.locator(".pc h3 a").count() == 0:  # nothing matched: the catalogue's first page
            results.append(step(page, recorder, "search", run, lambda: page.goto(f"{base}/bbi/")))
        results.append(
            step(page, recorder, "product", run, lambda: page.locator(".pc h3 a").first.click())
        )
        results.append(
            step(page, recorder, "store", run, lambda: page.locator("main p a").first.click())
        )
        in_stock = page.locator(".grid li:not(:has(.out)) a").first
        results.append(step(page, recorder, "store product", run, in_stock.click))
        add = page.locator("form[action*='keranjang'] button[type=submit]")
        results.append(step(page, recorder, "add to cart", run, add.click))
        checkout = page.locator("a[href*='/bayar/'], form[action*='/bayar/'] button").first
        results.append(step(page, recorder, "checkout form", run, checkout.click))
    finally:
        context.close()
    return results


def median(values):
    values = [value for value in values if value is not None]
    return round(statistics.median(values)) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="An already served demo (DEBUG=0); nothing is started.")
    parser.add_argument("--var-dir", type=Path, help="Where the demo is (or is loaded first).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=2000)
    parser.add_argument("--kbps", type=float, default=50, help="kbit/s, down and up")
    parser.add_argument("--query", default="kopi", help="What the buyer searches for.")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    load_before = load_average()
    server = None
    base = options.url.rstrip("/") if options.url else None
    if base is None:
        var_dir = (options.var_dir or Path(tempfile.mkdtemp(prefix="tumbuh-slow2g-"))).resolve()
        load_demo(var_dir)
        port = free_port()
        server = serve(var_dir, port)
        base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz")
        urllib.request.urlopen(f"{base}/bbi/", timeout=30).read()  # noqa: S310 - warm, local
        runs = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path() or "/usr/bin/chromium",
                args=CHROMIUM_ARGS,
                headless=True,
            )
            try:
                for run in range(1, options.runs + 1):
                    runs.append(
                        journey(
                            browser,
                            base,
                            run,
                            latency_ms=options.latency_ms,
                            kbps=options.kbps,
                            query=options.query,
                        )
                    )
            finally:
                browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)

    steps = [result["step"] for result in runs[0]]
    medians = {}
    for index, name in enumerate(steps):
        rows = [results[index] for results in runs if len(results) > index]
        medians[name] = {metric: median(row[metric] for row in rows) for metric in METRICS}
        emit({"step": name, "median_of_runs": len(rows), **medians[name]})
    catalogue = medians["catalogue"]
    readable = max(value for value in (catalogue["fcp_ms"], catalogue["dcl_ms"]) if value)
    emit(
        {
            "summary": "slow-2G buyer journey, JavaScript off",
            "latency_ms": options.latency_ms,
            "kbps": options.kbps,
            "runs": len(runs),
            "catalogue_readable_ms": readable,
            "readable_budget_ms": READABLE_BUDGET_MS,
            "within_budget": readable <= READABLE_BUDGET_MS,
            "journey_load_ms": sum(m["load_ms"] or 0 for m in medians.values()),
            "journey_bytes": sum(m["bytes"] or 0 for m in medians.values()),
            "machine": machine(),
            "load_average_before": load_before,
            "load_average_after": load_average(),
        }
    )


if __name__ == "__main__":
    main()
