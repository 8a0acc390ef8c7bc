from django.apps import AppConfig


class CapabilityConfig(AppConfig):
    name = "tumbuh.capability"
    label = "capability"
    verbose_name = "Digital capability (assessments and levels)"
