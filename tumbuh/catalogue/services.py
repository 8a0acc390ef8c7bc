"""The one write path for campaigns: create, change, add and remove products.

Every service takes its actor (``by``). Only national ministry staff curate campaigns: a person
holding RUN_PROGRAMMES through a membership with national scope (or a superuser, such as the
system actor); anyone else, and no actor at all, is refused with ``PermissionDenied``. Every other
refusal raises ``Refused`` with a code from ``catalogue.error_codes`` and a clear reason, and
changes nothing; every change writes an audit event.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.permissions import Capability, has_capability, roles_with
from tumbuh.accounts.scoping import reach_for
from tumbuh.accounts.services import acting_person
from tumbuh.catalogue.error_codes import CatalogueError
from tumbuh.catalogue.models import Campaign, CampaignProduct
from tumbuh.catalogue.queries import listed_products
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.stores.models import Product

MAX_PRODUCTS_PER_CAMPAIGN = 500


def may_curate(user) -> bool:
    """National ministry staff who run programmes may create and curate campaigns (no one
    else, and not no one)."""
    if user is None or not has_capability(user, Capability.RUN_PROGRAMMES):
        return False
    # The ministry's national reach, not a partner's membership of national scope.
    return reach_for(user, roles=roles_with(Capability.RUN_PROGRAMMES)).is_national


def require_curator(user) -> None:
    if not may_curate(user):
        raise PermissionDenied(_("Only national ministry staff may curate catalogue campaigns."))


def _check_window(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None:
        raise Refused(CatalogueError.WINDOW_REQUIRED, _("A campaign needs a start and an end."))
    if starts_at >= ends_at:
        raise Refused(
            CatalogueError.WINDOW_REVERSED,
            _("A campaign must end after it starts."),
            field="ends_at",
        )


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Refused(CatalogueError.TITLE_REQUIRED, _("A campaign needs a title."), field="title")
    return title


def create_campaign(
    *,
    by: User,
    title: str,
    slug: str = "",
    description: str = "",
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> Campaign:
    """Create a campaign (empty; products are added with ``add_campaign_product``)."""
    require_curator(by)
    title = _clean_title(title)
    slug = slugify(slug or title)[:60]
    if not slug:
        raise Refused(
            CatalogueError.SLUG_INVALID,
            _("The campaign address must contain letters or digits."),
            field="slug",
        )
    _check_window(starts_at, ends_at)
    if Campaign.objects.filter(slug=slug).exists():
        raise Refused(
            CatalogueError.SLUG_TAKEN,
            _("Another campaign already uses the address “%(slug)s”.") % {"slug": slug},
            field="slug",
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            slug=slug,
            description=description.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=acting_person(by),
        )
        record_event(
            actor=by,
            action="catalogue.campaign_created",
            target=campaign,
            data={"slug": slug, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    return campaign


def update_campaign(
    *,
    campaign: Campaign,
    by: User,
    title: str,
    description: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> Campaign:
    """Change a campaign's title, description or time window (its address stays)."""
    require_curator(by)
    title = _clean_title(title)
    _check_window(starts_at, ends_at)
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(
            title=title, description=description.strip(), starts_at=starts_at, ends_at=ends_at
        )
        campaign.refresh_from_db()
        record_event(
            actor=by,
            action="catalogue.campaign_changed",
            target=campaign,
            data={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    return campaign


def add_campaign_product(*, campaign: Campaign, product: Product, by: User) -> CampaignProduct:
    """Add a product on sale in a live store to the end of the campaign's list."""
    require_curator(by)
    if not listed_products().filter(pk=product.pk).exists():
        raise Refused(
            CatalogueError.PRODUCT_NOT_LISTED,
            _("Only products on sale in a live store can join a campaign."),
            field="product",
        )
    if CampaignProduct.objects.filter(campaign=campaign, product=product).exists():
        raise Refused(
            CatalogueError.ALREADY_IN_CAMPAIGN,
            _("This product is already in the campaign."),
            field="product",
        )
    with transaction.atomic():
        # Lock the campaign row so two curators adding at once get distinct positions.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        count = campaign.entries.count()
        if count >= MAX_PRODUCTS_PER_CAMPAIGN:
            raise Refused(
                CatalogueError.CAMPAIGN_FULL,
                _("A campaign holds at most %(limit)d products.")
                % {"limit": MAX_PRODUCTS_PER_CAMPAIGN},
            )
        last = campaign.entries.aggregate(last=Max("position"))["last"]
        entry = CampaignProduct.objects.create(
            campaign=campaign,
            product=product,
            position=(last or 0) + 1,
            added_by=acting_person(by),
        )
        record_event(
            actor=by,
            action="catalogue.campaign_product_added",
            target=campaign,
            data={"product": product.public_id},
        )
    return entry


def remove_campaign_product(*, campaign: Campaign, product: Product, by: User) -> None:
    """Take a product out of a campaign."""
    require_curator(by)
    with transaction.atomic():
        deleted, _rows = CampaignProduct.objects.filter(campaign=campaign, product=product).delete()
        if not deleted:
            raise Refused(
                CatalogueError.NOT_IN_CAMPAIGN,
                _("This product is not in the campaign."),
                field="product",
            )
        record_event(
            actor=by,
            action="catalogue.campaign_product_removed",
            target=campaign,
            data={"product": product.public_id},
        )
