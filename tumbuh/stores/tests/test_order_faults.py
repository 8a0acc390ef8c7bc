"""A server worker killed in the middle of an order: the retry places it exactly once.

``tumbuh serve`` (gunicorn, two workers, DEBUG off) on a SQLite file database; a buyer's order
is cut by SIGKILL of the worker that handles it, first inside the transaction that writes the
order and its idempotency record (``core.faults`` pauses it there), then, on the retry, just
after that transaction committed, before the answer left. gunicorn's master starts new workers;
the buyer retries with the same ``Idempotency-Key`` (the API) or sends the same checkout form
again (its one-time token): the first kill left nothing, the second a whole order, and the last
retry answers that order. One order, its stock taken once.
"""

import concurrent.futures
import http.client
import json
import re
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from tumbuh.core.tests import processes

BEFORE_COMMIT = "idempotency.before_commit"
AFTER_COMMIT = "idempotency.after_commit"
STOCK, QUANTITY = 10, 3
UNTOUCHED = {"orders": 0, "codes": None, "stock": STOCK, "records": 0}

SHOP = """
from tumbuh.stores.tests.order_builders import shop_with_product
store, product = shop_with_product(stock=10)
print(store.slug, product.public_id, product.get_absolute_url())
"""


class Buyer:
    """An HTTP client that keeps its cookies (the session with the cart, the CSRF cookie: both
    Secure with DEBUG off, which a plain-HTTP client would drop) and follows no redirect."""

    def __init__(self, base_url: str):
        self.address = urllib.parse.urlsplit(base_url).netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, body=None, headers=None):
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.address, timeout=90)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content


def _state(var_dir: Path, product: str) -> dict:
    ((orders, codes),) = processes.rows(
        var_dir, "SELECT count(*), group_concat(code) FROM stores_order"
    )
    ((stock,),) = processes.rows(
        var_dir, "SELECT stock FROM stores_product WHERE public_id = ?", [product]
    )
    ((records,),) = processes.rows(var_dir, "SELECT count(*) FROM core_idempotencyrecord")
    return {"orders": orders, "codes": codes, "stock": stock, "records": records}


def _killed_at(point: str, var_dir: Path, server, send) -> None:
    """``send()`` in a thread; the worker that handles it pauses at ``point`` and is killed; the
    request gets no answer."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sent = pool.submit(send)
        worker = processes.paused_process(var_dir, point)
        assert worker != server.pid  # a worker, not gunicorn's master
        processes.kill(worker)
        assert isinstance(sent.exception(timeout=30), ConnectionError | http.client.HTTPException)


def test_an_api_order_cut_by_a_killed_worker_is_placed_once_by_its_retry(tmp_path_factory):
    var_dir = processes.var_dir(tmp_path_factory)
    slug, product, _url = processes.python(var_dir, SHOP).split()
    body = json.dumps(
        {
            "items": [{"product": product, "quantity": QUANTITY}],
            "buyer_name": "Dewi Lestari",
            "buyer_phone": "0813-2222-3333",
            "village_code": "32.04.12.2002",
            "delivery": "pickup",
            "payment_method": "qris",
        }
    )
    headers = {"Content-Type": "application/json", "Idempotency-Key": "order-0001-retry"}
    pauses = f"{BEFORE_COMMIT},{AFTER_COMMIT}"
    with processes.serving(var_dir, TUMBUH_FAULT_PAUSE=pauses) as (server, base_url):
        buyer = Buyer(base_url)

        def send():
            return buyer.request(
                "POST", f"/api/v1/stores/{slug}/orders", body=body, headers=headers
            )

        _killed_at(BEFORE_COMMIT, var_dir, server, send)
        assert _state(var_dir, product) == UNTOUCHED

        _killed_at(AFTER_COMMIT, var_dir, server, send)
        placed = _state(var_dir, product)
        assert (placed["orders"], placed["stock"], placed["records"]) == (1, STOCK - QUANTITY, 1)

        status, _headers, answer = send()
        assert (status, json.loads(answer)["code"]) == (200, placed["codes"])
        assert _state(var_dir, product) == placed
        assert server.poll() is None


def test_a_checkout_form_cut_by_a_killed_worker_is_placed_once_when_sent_again(
    tmp_path_factory,
):
    var_dir = processes.var_dir(tmp_path_factory)
    slug, product, product_url = processes.python(var_dir, SHOP).split()
    pauses = f"{BEFORE_COMMIT},{AFTER_COMMIT}"
    with processes.serving(var_dir, TUMBUH_FAULT_PAUSE=pauses) as (server, base_url):
        buyer = Buyer(base_url)
        status, _headers, page = buyer.request("GET", product_url)
        assert status == 200
        added = {
            "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
            "product": product,
            "quantity": str(QUANTITY),
            "action": "add",
        }
        assert buyer.request("POST", "/keranjang/", body=added)[0] == 302
        checkout = f"/keranjang/{slug}/bayar/"
        status, _headers, page = buyer.request("GET", checkout)
        assert status == 200
        form = {
            "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
            "token": _hidden(page, "token"),
            "lines": _hidden(page, "lines"),
            "name": "Dewi Lestari",
            "phone": "0813-2222-3333",
            "province": "32",
            "regency": "32.04",
            "district": "32.04.12",
            "village": "32.04.12.2002",
            "delivery": "pickup",
            "payment": "cod",
            "action": "order",
        }
        assert form["token"] and form["lines"] == f"{product}:{QUANTITY}"

        def send():
            return buyer.request("POST", checkout, body=form)

        _killed_at(BEFORE_COMMIT, var_dir, server, send)
        assert _state(var_dir, product) == UNTOUCHED

        _killed_at(AFTER_COMMIT, var_dir, server, send)
        placed = _state(var_dir, product)
        assert (placed["orders"], placed["stock"], placed["records"]) == (1, STOCK - QUANTITY, 1)

        status, headers, _page = send()
        assert (status, headers["Location"]) == (302, f"/pesanan/{placed['codes']}/")
        assert _state(var_dir, product) == placed
        assert server.poll() is None


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)
