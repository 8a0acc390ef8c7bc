from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tumbuh.core"
    label = "core"
    verbose_name = "Core"
