"""The supply panel of a business's console page (``settings.ENTERPRISE_PANELS``, called by the
registry's enterprise detail view): the business's suppliers and buyers, each with the commodity,
the usual volume and how the platform knows the link.

The other side of a link is named and linked only when the viewer may see it in the registry
(``registry.queries.registry_enterprises``, the one scoped read); otherwise the panel says it is a
business outside the viewer's regions, as the registry's page does for a merge.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tumbuh.registry.queries import registry_enterprises
from tumbuh.supply import queries

SHOWN = 50


def enterprise_panel(*, enterprise, user) -> SafeString | None:
    """The rendered panel, or None when the business has no supplier and no buyer."""
    suppliers = list(queries.suppliers_of(enterprise).order_by("supplier__name", "pk")[:SHOWN])
    buyers = list(queries.buyers_of(enterprise).order_by("buyer__name", "pk")[:SHOWN])
    if not suppliers and not buyers:
        return None
    others = {link.supplier_id for link in suppliers} | {link.buyer_id for link in buyers}
    visible = set(
        registry_enterprises(user).filter(pk__in=others).order_by().values_list("pk", flat=True)
    )
    return render_to_string(
        "supply/market_panel.html",
        {
            "suppliers": [(link, link.supplier, link.supplier_id in visible) for link in suppliers],
            "buyers": [(link, link.buyer, link.buyer_id in visible) for link in buyers],
        },
    )
