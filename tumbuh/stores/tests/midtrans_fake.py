"""A Midtrans that answers from recorded responses, for tests of ``MidtransGateway``.

``FakeMidtrans`` is a ``requests`` transport adapter: it sits under midtransclient's own HTTP call
(``requests``' session sends the request it prepared, with midtransclient's headers, Basic auth
and JSON body, to the adapter instead of a socket), records what was sent, and answers with the
next queued answer: a recorded response (``recorded("status_settlement")``, from
``midtrans_responses/*.json``), an ``(http_status, body)`` pair, or an exception to raise (a
``requests`` timeout). Nothing leaves the process.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

RESPONSES = Path(__file__).parent / "midtrans_responses"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer of the fake provider."""

    http_status: int
    body: bytes


@dataclass(frozen=True)
class Sent:
    """One request that reached the fake provider, as it would have gone on the wire."""

    method: str
    url: str
    headers: CaseInsensitiveDict
    body: dict | None
    timeout: object


def recorded(name: str, *, http_status: int | None = None, **body_changes) -> Answer:
    """The recorded response ``midtrans_responses/<name>.json``, with fields of its JSON body
    replaced (``order_id=order.code``) or its HTTP status changed."""
    data = json.loads((RESPONSES / f"{name}.json").read_text(encoding="utf-8"))
    body = {**data["body"], **body_changes}
    return Answer(http_status or data["http_status"], json.dumps(body).encode())


class FakeMidtrans(BaseAdapter):
    """Answers requests in order from ``answers``; a request with no answer left fails the test."""

    def __init__(self, *answers):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[Sent] = []

    def session(self) -> requests.Session:
        """A ``requests`` session whose every request reaches this fake (pass it to
        ``MidtransGateway(session=...)``)."""
        session = requests.Session()
        session.trust_env = False  # no proxy or netrc from the environment
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.requests.append(
            Sent(
                method=request.method,
                url=request.url,
                headers=CaseInsensitiveDict(request.headers),
                body=json.loads(request.body) if request.body else None,
                timeout=timeout,
            )
        )
        assert self.answers, f"unexpected request to Midtrans: {request.method} {request.url}"
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if not isinstance(answer, Answer):
            http_status, body = answer
            answer = Answer(
                http_status, body if isinstance(body, bytes) else json.dumps(body).encode()
            )
        response = requests.Response()
        response.status_code = answer.http_status
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response._content = answer.body
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass
