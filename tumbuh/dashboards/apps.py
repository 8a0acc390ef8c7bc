from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "tumbuh.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards (targets, rollups, open data)"
