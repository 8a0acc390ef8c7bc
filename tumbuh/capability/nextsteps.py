"""Next steps after an assessment: what a business can do to strengthen its weakest pillars.

Two kinds of offers meet here. Concrete actions (open a store, accept QRIS, get a NIB, start the
halal self-declare route, …) are built here from the business's milestones: an action whose
milestone is already reached is not offered. Programmes and cohorts come from higher apps, which
``capability`` must never import: the offer sources are listed in ``settings.OFFER_SOURCES``
(``core.hooks``; the programmes app's open cohorts).

``offers_for`` puts the offers that address the weakest pillar first, then the next weakest, and
so on; offers that address none of them come last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.core.hooks import hooks
from tumbuh.registry.models import Enterprise, Milestone

logger = logging.getLogger(__name__)

PILLAR_KEYS = (
    "digital_skills",
    "digital_ethics",
    "digital_safety",
    "digital_culture",
    "online_presence",
    "online_selling",
    "digital_payment",
    "digital_bookkeeping",
    "use_of_data",
)

# KBLI 2020 golongan pokok of food and drink: 10 food manufacture, 11 beverages, 56 food service.
FOOD_KBLI_PREFIXES = ("10", "11", "56")


@dataclass(frozen=True)
class Offer:
    """One recommended next step for a business."""

    kind: str  # "programme", "cohort" or "action"
    title: str  # already translated text
    url: str  # where to act; "" when there is no page
    reason: str  # why it is offered, e.g. which weak pillar it strengthens
    pillars: tuple[str, ...] = ()  # pillar keys it addresses


OfferSource = Callable[[Enterprise, list[str]], list[Offer]]  # (business, weakest pillar keys)


def is_food_business(enterprise: Enterprise) -> bool:
    """Whether the business makes or serves food or drink, judged from its KBLI codes."""
    return any(
        code.startswith(FOOD_KBLI_PREFIXES)
        for code in enterprise.kbli_codes.values_list("code", flat=True)
    )


def action_offers(enterprise: Enterprise) -> list[Offer]:
    """Concrete actions for ``enterprise``, leaving out those whose milestone is reached."""
    reached = set(enterprise.milestones.values_list("kind", flat=True))
    has_nib = bool(enterprise.nib) or Milestone.Kind.NIB_ISSUED in reached
    offers = []
    if Milestone.Kind.STORE_LIVE not in reached:
        offers.append(
            Offer(
                kind="action",
                title=_("Open your online store"),
                url=reverse("stores:open"),
                reason=_("Customers can find your products and order online."),
                pillars=("online_presence", "online_selling"),
            )
        )
    if Milestone.Kind.PAID_DIGITALLY not in reached:
        offers.append(
            Offer(
                kind="action",
                title=_("Accept QRIS payments"),
                url="",
                reason=_(
                    "One QRIS code accepts payments from every bank and e-wallet; "
                    "ask your bank to register you as a QRIS merchant."
                ),
                pillars=("digital_payment",),
            )
        )
    if not has_nib:
        offers.append(
            Offer(
                kind="action",
                title=_("Get a NIB (business identity number)"),
                url=reverse("licensing:nib-start"),
                reason=_(
                    "A NIB from the OSS system is free for micro businesses and opens "
                    "marketplaces, government buyers and bank loans."
                ),
                pillars=("online_selling", "digital_skills"),
            )
        )
    if has_nib and Milestone.Kind.HALAL_CERTIFIED not in reached and is_food_business(enterprise):
        offers.append(
            Offer(
                kind="action",
                title=_("Start the free halal self-declare route"),
                url=reverse("licensing:halal-start"),
                reason=_("A halal certificate makes food and drink easier to sell."),
                pillars=("online_selling",),
            )
        )
    offers.extend(_habit_offers())
    return offers


def _habit_offers() -> list[Offer]:
    """Everyday practices that strengthen a pillar; no milestone records them."""
    return [
        Offer(
            kind="action",
            title=_("Record every sale and expense in a bookkeeping app"),
            url="",
            reason=_("Daily records show your profit and help when you apply for credit."),
            pillars=("digital_bookkeeping", "use_of_data"),
        ),
        Offer(
            kind="action",
            title=_("Protect your accounts with two-step verification"),
            url="",
            reason=_(
                "Never share a one-time code (OTP); a second step keeps your WhatsApp, "
                "e-mail and marketplace accounts safe."
            ),
            pillars=("digital_safety",),
        ),
        Offer(
            kind="action",
            title=_("Show your business on Google Maps and WhatsApp Business"),
            url="",
            reason=_("A free business profile lets nearby customers find and contact you."),
            pillars=("online_presence", "digital_culture"),
        ),
    ]


def _rank(offer: Offer, weakest: list[str]) -> int:
    positions = [weakest.index(p) for p in offer.pillars if p in weakest]
    return min(positions) if positions else len(weakest)


def offers_for(enterprise: Enterprise, weakest_pillars: list[str]) -> list[Offer]:
    """Every offer for ``enterprise``, those for its weakest pillars first.

    ``weakest_pillars`` lists pillar keys from the weakest up. Within a rank, programme offers
    from registered sources come before built-in actions, in the order they were given. A source
    that fails is logged and skipped: a broken source must not hide the other next steps.
    """
    weakest = list(weakest_pillars)
    offers: list[Offer] = []
    for source in hooks("OFFER_SOURCES"):
        try:
            offers.extend(source(enterprise, weakest))
        except Exception:
            logger.exception("offer source %r failed for enterprise %s", source, enterprise.pk)
    offers.extend(action_offers(enterprise))
    return sorted(offers, key=lambda offer: _rank(offer, weakest))
