"""Public catalogue pages (light, no JavaScript needed) and the ministry's campaign console."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.catalogue import queries, services
from tumbuh.catalogue.forms import CampaignForm, SearchForm
from tumbuh.catalogue.models import Campaign
from tumbuh.core.page_cache import cached_page
from tumbuh.stores import pages
from tumbuh.stores.models import Product


def _catalogue_pages(request, *args, **kwargs) -> list[str]:
    return [pages.CATALOGUE]


def _until_a_campaign_starts_or_ends() -> int:
    """Seconds a catalogue page may be kept: it lists running campaigns (or is one), so not past
    the next moment one starts or ends."""
    now = timezone.now()
    boundaries = Campaign.objects.aggregate(
        starts=Min("starts_at", filter=Q(starts_at__gt=now)),
        ends=Min("ends_at", filter=Q(ends_at__gt=now)),
    )
    upcoming = [moment for moment in boundaries.values() if moment is not None]
    if not upcoming:
        return settings.TUMBUH_PAGE_CACHE_SECONDS
    return max(0, int((min(upcoming) - now).total_seconds()))


catalogue_page = cached_page(_catalogue_pages, timeout=_until_a_campaign_starts_or_ends)


def _query_string(params, **changes) -> str:
    merged = {key: value for key, value in params.items() if value not in ("", None)}
    for key in ("setelah", "halaman"):
        merged.pop(key, None)
    merged.update({key: value for key, value in changes.items() if value is not None})
    return "?" + urlencode(merged)


@require_GET
@catalogue_page
def home(request):
    """``/bbi/``: search and filter the products of every live store."""
    form = SearchForm(request.GET or None)
    filters = form.filters()
    products = queries.filter_products(queries.listed_products(), filters)
    products, is_ranked = queries.search_products(products, filters.text)
    cleaned = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    page = queries.page_of(
        products,
        is_ranked=is_ranked,
        cursor=cleaned.get("setelah"),
        number=cleaned.get("halaman") or 1,
    )
    queries.attach_badges(page.products)
    next_link = None
    if page.has_next_page:
        next_link = _query_string(
            request.GET,
            setelah=page.next_cursor if not is_ranked else None,
            halaman=page.number + 1 if is_ranked else None,
        )
    response = render(
        request,
        "catalogue/home.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "next_link": next_link,
            "first_link": _query_string(request.GET)
            if (cleaned.get("setelah") or page.number > 1)
            else None,
            "campaigns": Campaign.objects.running().only("slug", "title", "ends_at")[:5],
        },
    )
    return response


@require_GET
@catalogue_page
def campaign(request, slug):
    """``/bbi/kampanye/<slug>/``: a running campaign's products, in the curator's order."""
    found = get_object_or_404(Campaign, slug=slug)
    if not found.is_running():
        raise Http404(_("This campaign is not running."))
    number = request.GET.get("halaman", "1")
    number = int(number) if number.isdigit() else 1
    products = (
        queries.listed_products()
        .filter(campaign_entries__campaign=found)
        .order_by("campaign_entries__position")
    )
    start = (max(1, number) - 1) * queries.PAGE_SIZE
    rows = list(queries.with_place(products)[start : start + queries.PAGE_SIZE + 1])
    shown = queries.attach_badges(rows[: queries.PAGE_SIZE])
    response = render(
        request,
        "catalogue/campaign.html",
        {
            "campaign": found,
            "products": shown,
            "next_link": f"?halaman={number + 1}" if len(rows) > queries.PAGE_SIZE else None,
            "previous_link": f"?halaman={number - 1}" if number > 1 else None,
        },
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def console_campaigns(request):
    """The ministry's campaigns: list and create."""
    services.require_curator(request.user)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_campaign(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign created. Now add its products."))
            return redirect("catalogue:console-campaign", public_id=created.public_id)
    now = timezone.now()
    campaigns = Campaign.objects.all()[:200]
    return render(
        request,
        "catalogue/console_campaigns.html",
        {"form": form, "campaigns": campaigns, "now": now},
    )


@login_required
@require_http_methods(["GET", "POST"])
def console_campaign(request, public_id):
    """One campaign: change its window, search products to add, remove products."""
    services.require_curator(request.user)
    found = get_object_or_404(Campaign, public_id=public_id)
    form = CampaignForm(request.POST or None, instance=found)
    form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(
                campaign=found,
                by=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("catalogue:console-campaign", public_id=found.public_id)
    text = request.GET.get("q", "")[: queries.MAX_QUERY_LENGTH]
    candidates = []
    if text.strip():
        results, _ranked = queries.search_products(queries.listed_products(), text)
        candidates = list(
            queries.with_place(results.exclude(campaign_entries__campaign=found))[:20]
        )
    entries = list(
        queries.with_place(Product.objects.filter(campaign_entries__campaign=found)).order_by(
            "campaign_entries__position"
        )
    )
    return render(
        request,
        "catalogue/console_campaign.html",
        {
            "campaign": found,
            "form": form,
            "entries": entries,
            "candidates": candidates,
            "text": text,
        },
    )


@login_required
@require_POST
def console_campaign_product(request, public_id):
    """Add (``action=add``) or remove (``action=remove``) one product, by its public id."""
    services.require_curator(request.user)
    found = get_object_or_404(Campaign, public_id=public_id)
    product = get_object_or_404(Product, public_id=request.POST.get("product", ""))
    try:
        if request.POST.get("action") == "remove":
            services.remove_campaign_product(campaign=found, product=product, by=request.user)
            messages.success(
                request, _("“%(title)s” removed from the campaign.") % {"title": product.title}
            )
        else:
            services.add_campaign_product(campaign=found, product=product, by=request.user)
            messages.success(
                request, _("“%(title)s” added to the campaign.") % {"title": product.title}
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("catalogue:console-campaign", public_id=found.public_id)
