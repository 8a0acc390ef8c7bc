"""Weight of the capability self-assessment pages (budget: 14 KB gzip per HTML page).

    .venv/bin/python bench/capability_pages.py

Builds a scratch SQLite database (Jawa Barat only), loads the v1 instrument, one business with
an owner and three past assessments, then fetches every page of the owner's journey with
Django's test client and prints one JSON line per page: ``page``, ``status``, ``bytes`` (raw
HTML) and ``bytes_gzip`` (as the app serves it to a browser that accepts gzip), then a summary line.
"""

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import machine, run  # noqa: E402

BUDGET_BYTES = 14 * 1024


def main():
    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-capability-bench-"),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    run("migrate", "--verbosity", "0")
    run("load_regions", "--province", "32", "--json")
    import django

    django.setup()
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from tumbuh.accounts.models import User
    from tumbuh.accounts.services import system_actor
    from tumbuh.capability.services import current_instrument, load_instrument, submit_assessment
    from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED
    from tumbuh.registry.models import Enterprise
    from tumbuh.registry.services import link_account

    load_instrument()
    instrument = current_instrument()
    enterprise = Enterprise.objects.create(
        name="Keripik Singkong Bu Ani Dayeuhkolot", village_id="32.04.12.2002"
    )
    owner = User.objects.create_user(email="pemilik@bench.example", full_name="Ani Suryani")
    link_account(user=owner, enterprise=enterprise, by=system_actor())
    anonymous = Client()
    client = Client()
    client.force_login(owner)
    pages = [("self-assessment (signed out)", anonymous, reverse("capability:self-assessment"))]
    pages.append(("self-assessment (owner)", client, reverse("capability:self-assessment")))
    for number in (1, 9, 18):
        url = reverse("capability:question", args=[enterprise.public_id, number])
        pages.append((f"question {number}", client, url))
    pages.append(("review", client, reverse("capability:review", args=[enterprise.public_id])))
    now = timezone.now()
    for days, answers in ((300, LOWEST), (150, MIXED), (1, HIGHEST)):
        submit_assessment(
            enterprise=enterprise,
            instrument=instrument,
            answers=answers,
            by=owner,
            mode="self",
            taken_at=now - timedelta(days=days),
        )
    pages.append(
        (
            "result (3 assessments)",
            client,
            reverse("capability:result", args=[enterprise.public_id]),
        )
    )
    largest = 0
    for name, who, url in pages:
        # As served: the app compresses the page for a browser that accepts gzip.
        response = who.get(url, HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
        size = len(response.content)
        largest = max(largest, size)
        line = {
            "page": name,
            "url": url,
            "status": response.status_code,
            "bytes": len(gzip.decompress(response.content)),
            "bytes_gzip": size,
        }
        print(json.dumps(line))
    print(
        json.dumps(
            {
                "summary": "capability pages",
                "largest_gzip": largest,
                "budget_gzip": BUDGET_BYTES,
                "within_budget": largest <= BUDGET_BYTES,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
