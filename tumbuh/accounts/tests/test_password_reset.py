"""Password reset: by e-mail on the person's request, or by their organisation's administrator
(for people with only a phone); every reset is recorded, and a used link never works again."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail

from tumbuh.accounts.models import Membership
from tumbuh.conftest import PASSWORD, make_user
from tumbuh.core.models import AuditEvent

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Kopi-Flores-2026!"


def _link(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/masuk/atur-sandi/[^\s\"<]+/)", text).group(1)


def _choose(client, link: str, password: str = NEW_PASSWORD):
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"], "the link should work"
    return client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )


def _signs_in(client, login, password) -> bool:
    client.logout()
    return client.post("/masuk/", {"username": login, "password": password}).status_code == 302


def test_a_person_resets_their_password_by_email(client):
    person = make_user(email="dewi@contoh.id")
    for _ in range(10):  # locked out by guessing
        client.post("/masuk/", {"username": "dewi@contoh.id", "password": "tebakan"})
    assert client.post("/masuk/lupa-sandi/", {"email": "DEWI@contoh.id"}).status_code == 302
    [message] = mail.outbox
    assert message.to == ["dewi@contoh.id"]
    link = _link(message.body)
    assert _choose(client, link).status_code == 302
    assert not AccessAttempt.objects.filter(username=f"user:{person.pk}").exists()
    assert _signs_in(client, "dewi@contoh.id", NEW_PASSWORD)  # the lockout is lifted too
    assert not _signs_in(client, "dewi@contoh.id", PASSWORD)
    event = AuditEvent.objects.get(action="accounts.password_reset")
    assert (event.actor_id, event.target_id) == (person.pk, str(person.pk))
    used = client.get(link, follow=True)
    assert not used.context["validlink"]  # once only


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    make_user(email="dewi@contoh.id")
    response = client.post("/masuk/lupa-sandi/", {"email": "siapa@contoh.id"})
    assert response.status_code == 302 and response["Location"] == "/masuk/lupa-sandi/terkirim/"
    assert mail.outbox == []


def test_an_administrator_resets_a_members_password(client_of, office_32, client):
    admin = make_user(organisation=office_32, role=Membership.Role.ADMIN)
    seller = make_user(
        organisation=office_32, role=Membership.Role.SELLER, email=None, phone="0813-1111-2222"
    )
    membership = seller.memberships.get()
    page = client_of(admin).post(
        f"/konsol/organisasi/{office_32.slug}/atur-ulang-sandi/", {"membership": membership.pk}
    )
    assert page.status_code == 200
    link = _link(page.content.decode())
    assert mail.outbox == []  # a phone-only person gets the link from the administrator
    assert not _signs_in(client, "0813-1111-2222", PASSWORD)  # the old password stops at once
    assert _choose(client, link).status_code == 302
    assert _signs_in(client, "0813-1111-2222", NEW_PASSWORD)
    issued = AuditEvent.objects.get(action="accounts.password_reset_issued")
    assert (issued.actor_id, issued.target_id) == (admin.pk, str(seller.pk))
    assert AuditEvent.objects.filter(action="accounts.password_reset", actor=seller).exists()


def test_only_an_administrator_of_the_organisation_may_reset(client_of, office_32, office_53):
    officer = make_user(organisation=office_32, role=Membership.Role.OFFICER)
    other_admin = make_user(organisation=office_53, role=Membership.Role.ADMIN)
    seller = make_user(organisation=office_32, role=Membership.Role.SELLER)
    membership = seller.memberships.get()
    url = f"/konsol/organisasi/{office_32.slug}/atur-ulang-sandi/"
    assert client_of(officer).post(url, {"membership": membership.pk}).status_code == 403
    assert client_of(other_admin).post(url, {"membership": membership.pk}).status_code in (403, 404)
    seller.refresh_from_db()
    assert seller.has_usable_password()
    assert not AuditEvent.objects.filter(action="accounts.password_reset_issued").exists()


def test_the_console_shows_the_reset_button_to_administrators_only(client_of, office_32):
    admin = make_user(organisation=office_32, role=Membership.Role.ADMIN)
    officer = make_user(organisation=office_32, role=Membership.Role.OFFICER)
    url = f"/konsol/organisasi/{office_32.slug}/"
    assert b"atur-ulang-sandi" in client_of(admin).get(url).content
    assert b"atur-ulang-sandi" not in client_of(officer).get(url).content
