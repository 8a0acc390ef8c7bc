"""A BumDes's collections and a producer's deliveries (light pages, JavaScript optional).

``rantai-pasok/pengumpulan/``: for a person acting for a BumDes, the form to record what it
bought from a producer of its village and the list of what it collected, with the totals
collected and still owed and a "paid" button for each unpaid one. ``rantai-pasok/setoran/``: for
a producer, what it delivered to BumDes collectors and what it was paid. ``?usaha=<public id>``
picks one of the businesses the person acts for; any other business answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.core import keyset
from tumbuh.registry.models import Enterprise
from tumbuh.supply import queries
from tumbuh.supply.forms.collections import MAX_PRODUCERS, CollectionForm
from tumbuh.supply.models import Collection, Offer
from tumbuh.supply.services import collections as collection_services
from tumbuh.supply.services.common import acts_for

PAGE = 50
ORDERING = ("-collected_on", "-pk")


def _business(request) -> Enterprise:
    """The business the person acts for (``?usaha=``, else their first); 404 when none."""
    business = queries.business_for(request.user, request.GET.get("usaha"))
    if business is None:
        raise Http404
    return business


def _totals(collections) -> dict:
    """The whole list's totals: collected, paid, still owed (whole rupiah) and the count."""
    totals = collections.aggregate(
        count=Count("pk"),
        collected_idr=Sum("amount_idr"),
        owed_idr=Sum("amount_idr", filter=Q(paid_at__isnull=True)),
    )
    totals["collected_idr"] = totals["collected_idr"] or 0
    totals["owed_idr"] = totals["owed_idr"] or 0
    totals["paid_idr"] = totals["collected_idr"] - totals["owed_idr"]
    return totals


def _here(business: Enterprise) -> str:
    return f"{reverse('supply:collections')}?usaha={business.public_id}"


def _refusal(form, error: ValidationError) -> None:
    """Show a refusal on the field at fault when the form has it, else above the form."""
    field = getattr(error, "field", "")
    for message in error.messages:
        form.add_error(field if field in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def collections(request):
    """The BumDes's collection form and its collections, newest first."""
    business = _business(request)
    if business.kind != Enterprise.Kind.BUMDES:
        return render(request, "supply/collections_not_bumdes.html", {"business": business})
    producers = list(
        Enterprise.objects.deduplicated()
        .filter(village_id=business.village_id)
        .exclude(pk=business.pk)
        .order_by("name", "pk")[:MAX_PRODUCERS]
    )
    offers = list(
        Offer.objects.filter(supplier=business, status=Offer.Status.OPEN).order_by(
            "commodity", "pk"
        )
    )
    form = CollectionForm(
        request.POST if request.method == "POST" else None,
        producers=producers,
        offers=offers,
        initial={"unit": "kg"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collection = collection_services.record_collection(
                collector=business,
                producer=next(p for p in producers if p.pk == data["producer"]),
                commodity=data["commodity"],
                commodity_kbli=data["commodity_kbli"],
                unit=data["unit"],
                quantity=data["quantity"],
                unit_price_idr=data["unit_price_idr"],
                collected_on=data["collected_on"],
                is_member=data["is_member"],
                offer=next((o for o in offers if o.pk == data["offer"]), None),
                paid=data["paid"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal(form, error)
        else:
            messages.success(
                request,
                _("Recorded: %(quantity)s %(unit)s of %(commodity)s from %(producer)s.")
                % {
                    "quantity": collection.quantity,
                    "unit": collection.unit,
                    "commodity": collection.commodity,
                    "producer": collection.producer.name,
                },
            )
            return redirect(_here(business))
    collected = queries.collections_by(business)
    page = keyset.page_from_request(request, collected, ordering=ORDERING, size=PAGE)
    return render(
        request,
        "supply/collections_list.html",
        {
            "business": business,
            "form": form,
            "page": page,
            "totals": _totals(collected),
            "has_producers": bool(producers),
        },
    )


@login_required
@require_POST
def collection_pay(request, pk):
    """Mark one collection paid to its producer; another BumDes's collection answers 404."""
    collection = get_object_or_404(
        Collection.objects.select_related("collector", "producer"), pk=pk
    )
    if not acts_for(request.user, collection.collector):
        raise Http404
    try:
        collection_services.pay_collection(collection=collection, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Marked as paid to %(producer)s.") % {"producer": collection.producer.name},
        )
    return redirect(_here(collection.collector))


@login_required
@require_http_methods(["GET"])
def deliveries(request):
    """What a producer delivered to BumDes collectors, and what it was paid."""
    business = _business(request)
    delivered = queries.deliveries_by(business)
    page = keyset.page_from_request(request, delivered, ordering=ORDERING, size=PAGE)
    return render(
        request,
        "supply/collections_deliveries.html",
        {"business": business, "page": page, "totals": _totals(delivered)},
    )


urlpatterns = [
    path("rantai-pasok/pengumpulan/", collections, name="collections"),
    path("rantai-pasok/pengumpulan/<int:pk>/bayar/", collection_pay, name="collection-pay"),
    path("rantai-pasok/setoran/", deliveries, name="deliveries"),
]
