"""The system actor: the one account the demo and the background tasks act as."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.accounts.services import SYSTEM_EMAIL, system_actor

pytestmark = pytest.mark.django_db


def test_the_system_actor_is_one_account_that_may_act_but_cannot_sign_in():
    actor = system_actor()

    assert system_actor() == actor
    assert (actor.email, actor.is_superuser, actor.is_staff) == (SYSTEM_EMAIL, True, False)
    assert all(has_capability(actor, capability) for capability in Capability)
    assert not actor.has_usable_password()
    assert (
        authenticate(RequestFactory().post("/masuk/"), username=SYSTEM_EMAIL, password="") is None
    )
