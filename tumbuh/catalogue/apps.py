from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _campaign_changed(sender, **kwargs):
    """A campaign or its products changed: the catalogue's cached pages list campaigns."""
    from tumbuh.core import page_cache
    from tumbuh.stores import pages

    page_cache.bump(pages.CATALOGUE)


class CatalogueConfig(AppConfig):
    name = "tumbuh.catalogue"
    label = "catalogue"
    verbose_name = "Gernas BBI national catalogue"

    def ready(self):
        from tumbuh.catalogue.models import Campaign, CampaignProduct

        for signal in (post_save, post_delete):
            for model in (Campaign, CampaignProduct):
                signal.connect(_campaign_changed, sender=model, dispatch_uid=f"pages-{model}")
