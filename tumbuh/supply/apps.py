from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "tumbuh.supply"
    label = "supply"
    verbose_name = "Supply chains (B2B)"
