"""A serving process freezes its long-lived objects after its first requests (core.memory)."""

import gc

import pytest
from django.core.signals import request_finished

from tumbuh.core import memory


@pytest.fixture
def settling(monkeypatch):
    monkeypatch.setattr(memory, "_served", 0)
    monkeypatch.setattr(memory, "FREEZE_AFTER", (1, 3))
    gc.unfreeze()
    memory.settle_after_warm_up()
    yield
    request_finished.disconnect(dispatch_uid="tumbuh.core.memory.settle")
    gc.unfreeze()


def test_the_first_requests_move_the_process_objects_out_of_the_collector_reach(client, settling):
    assert gc.get_freeze_count() == 0
    client.get("/healthz")
    frozen = gc.get_freeze_count()
    assert memory.served_requests() == 1
    assert frozen > 1000  # the framework, the URL patterns, the settings…

    kept = [object() for _ in range(10)] + [[] for _ in range(500)]  # made after the freeze
    client.get("/healthz")
    assert gc.get_freeze_count() <= frozen  # not on the second (freed objects leave it)
    client.get("/healthz")
    assert gc.get_freeze_count() >= frozen + 400  # the third: what the process kept since
    assert kept
