"""Which public pages a change makes new: the page cache's version scopes of stores and catalogue.

Every store's pages (the storefront and its product pages) are cached under the scope
``store:<slug>``; the national catalogue's under ``catalogue`` (``core.page_cache``). A change
of what a page shows bumps its scopes:

- saving or deleting a store, a product, a wholesale tier or a delivery zone (the receivers
  below, connected in ``StoresConfig.ready``: signals only for cache invalidation);
- the services' set-based writes that bypass ``save()``: stock taken by an order or given back
  and a restock (:func:`stock_changed`), a store's status (:func:`stores_changed`); tiers and
  zones created in bulk are written in the transaction of their product's or store's
  ``save()``, whose bump is repeated at commit;
- a halal certificate or a business (its name, kind, a merge) — the badge and the origin shown
  with each product — through :func:`producers_changed`.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from tumbuh.core import page_cache

CATALOGUE = "catalogue"


def store_scope(slug: str) -> str:
    return f"store:{slug}"


def stores_changed(store_ids, *, catalogue: bool = True) -> None:
    """The pages of these stores (and the catalogue's, unless ``catalogue`` is False) show
    something new."""
    from tumbuh.stores.models import Store

    ids = set(store_ids)
    if not ids:
        return
    slugs = Store.objects.filter(pk__in=ids).values_list("slug", flat=True)
    page_cache.bump(*[store_scope(slug) for slug in slugs], CATALOGUE if catalogue else "")


def stock_changed(store_ids) -> None:
    """Stock only: the store's pages show it, the catalogue's cards do not (an order placed or
    cancelled leaves the catalogue's cached pages alone)."""
    stores_changed(store_ids, catalogue=False)


def producers_changed(enterprise_ids) -> None:
    """These businesses changed (a certificate, a name, a merge): the stores that sell their
    products or belong to them, and the catalogue. Nothing when they have no store."""
    from tumbuh.stores.models import Product, Store

    ids = set(enterprise_ids)
    owned = Store.objects.filter(enterprise_id__in=ids).values_list("pk", flat=True)
    selling = Product.objects.filter(producer_id__in=ids).values_list("store_id", flat=True)
    stores_changed({*owned, *selling.distinct()})


def _store_saved(sender, instance, **kwargs):
    page_cache.bump(store_scope(instance.slug), CATALOGUE)


def _store_renamed(sender, instance, **kwargs):
    """A new address: the pages under the old one must not outlive it."""
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if old and old != instance.slug:
            page_cache.bump(store_scope(old))


def _product_part_saved(sender, instance, **kwargs):
    store_id = getattr(instance, "store_id", None)
    if store_id is None:  # a wholesale tier: its product's store
        from tumbuh.stores.models import Product

        store_id = Product.objects.filter(pk=instance.product_id).values_list("store_id").first()
        store_id = store_id[0] if store_id else None
    if store_id is not None:
        stores_changed([store_id])


def _producer_saved(sender, instance, **kwargs):
    producers_changed([getattr(instance, "enterprise_id", None) or instance.pk])


def connect() -> None:
    """Called once from ``StoresConfig.ready``."""
    from tumbuh.licensing.models import HalalCertificate
    from tumbuh.registry.models import Enterprise
    from tumbuh.stores.models import DeliveryZone, Product, Store, WholesaleTier

    pre_save.connect(_store_renamed, sender=Store, dispatch_uid="pages-store-renamed")
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(_store_saved, sender=Store, dispatch_uid=f"pages-store-{name}")
        for model in (Product, WholesaleTier, DeliveryZone):
            signal.connect(
                _product_part_saved, sender=model, dispatch_uid=f"pages-{model.__name__}-{name}"
            )
        for model in (HalalCertificate, Enterprise):
            signal.connect(
                _producer_saved, sender=model, dispatch_uid=f"pages-{model.__name__}-{name}"
            )
