from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "tumbuh.licensing"
    label = "licensing"
    verbose_name = "Licensing (NIB and halal self-declare assistance)"
