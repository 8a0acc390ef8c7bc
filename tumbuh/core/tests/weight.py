"""Page weight as served: the bytes the app itself sends to a browser that accepts gzip.

The budgets of the README and docs (14 KB per storefront, product, catalogue and mentor page)
are about what goes over the wire. ``served_size(response)`` asks for the page of ``response``
again through the same test client, with ``Accept-Encoding: gzip``, and measures the body as the
app sent it (compressed by ``tumbuh.core.middleware.CompressionMiddleware``), never a size the
test computes itself.
"""

import json

COMPRESS_FROM_BYTES = 1024


def served_size(response, *, page: str = "") -> int:
    """The served size of a GET response's page; printed as a JSON line when ``page`` names it
    (``pytest -s``)."""
    request = response.request
    assert request["REQUEST_METHOD"] == "GET", "measure the page a GET (or a redirect) shows"
    headers = {key: value for key, value in request.items() if key.startswith("HTTP_")}
    headers.pop("HTTP_COOKIE", None)  # the client sends its own cookies
    headers["HTTP_ACCEPT_ENCODING"] = "gzip"
    again = response.client.get(
        request["PATH_INFO"], QUERY_STRING=request.get("QUERY_STRING", ""), **headers
    )
    assert again.status_code == response.status_code
    raw = len(response.content)
    served = len(again.content)
    if raw >= COMPRESS_FROM_BYTES:
        assert again.get("Content-Encoding") == "gzip", "pages are compressed by the app"
    if page:
        print(json.dumps({"page": page, "bytes": raw, "bytes_served": served}))
    return served
