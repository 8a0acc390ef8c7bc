from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "tumbuh.programmes"
    label = "programmes"
    verbose_name = "Training and mentoring programmes"
