from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    name = "tumbuh.connectivity"
    label = "connectivity"
    verbose_name = "Connectivity (ledger and site planner)"
