from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tumbuh.registry"
    label = "registry"
    verbose_name = "Registry (Satu Data UMKM)"
