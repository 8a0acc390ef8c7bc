from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "tumbuh.catalogue"
    label = "catalogue"
    verbose_name = "Gernas BBI national catalogue"
