from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "tumbuh.stores"
    label = "stores"
    verbose_name = "Online stores (BumDes Smart)"

    def ready(self):
        from tumbuh.stores import pages

        pages.connect()
