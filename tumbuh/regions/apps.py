from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tumbuh.regions"
    label = "regions"
    verbose_name = "Regions"
