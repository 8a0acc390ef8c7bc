from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    name = "tumbuh.connectivity"
    label = "connectivity"
    verbose_name = "Connectivity (ledger and site planner)"

    def ready(self):
        # The mentor app's offline queue carries signal checks; this app owns the ledger they
        # are written to, so it registers their handler.
        from tumbuh.connectivity.signal_checks import apply_signal_check
        from tumbuh.programmes.mentor.sync import register_kind

        register_kind("signal_check", apply_signal_check)
