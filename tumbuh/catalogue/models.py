"""The Gernas BBI national catalogue: campaigns curated by the ministry over live stores' products.

The catalogue itself has no rows of its own: it searches ``stores.Product`` across every live
store (``catalogue.queries``). What it adds are campaigns, time-boxed curated collections such
as "Hari Belanja Produk Lokal", each with its own public page while it runs.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tumbuh.registry.models import new_public_id


class CampaignQuerySet(models.QuerySet):
    def running(self, at=None):
        """Campaigns open to the public at ``at`` (default now): started and not yet ended."""
        at = at or timezone.now()
        return self.filter(starts_at__lte=at, ends_at__gt=at)


class Campaign(models.Model):
    """A time-boxed curated collection of products (e.g. "Hari Belanja Produk Lokal").

    Created and curated by national ministry staff; its page at ``/bbi/kampanye/<slug>/`` is
    public only between ``starts_at`` (inclusive) and ``ends_at`` (exclusive), both UTC. Campaigns
    are national: they have no region.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    products = models.ManyToManyField(
        "stores.Product", through="CampaignProduct", related_name="campaigns", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="campaign_starts_before_it_ends"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="campaign_window_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalogue:campaign", args=[self.slug])

    def is_running(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at < self.ends_at


class CampaignProduct(models.Model):
    """One product in a campaign, in the order the curator chose."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(
        "stores.Product", on_delete=models.CASCADE, related_name="campaign_entries"
    )
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("campaign product")
        verbose_name_plural = _("campaign products")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "product"], name="campaign_product_once"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.product_id}"
