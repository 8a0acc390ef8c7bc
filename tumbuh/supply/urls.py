"""The supply pages: a business's own under ``/rantai-pasok/`` (light pages, JavaScript
optional) and the console's under ``/konsol/rantai-pasok/``. Each views module keeps its own
routes."""

from tumbuh.supply.views import collections, console, market, orders, training

app_name = "supply"

urlpatterns = [
    *market.urlpatterns,
    *orders.urlpatterns,
    *collections.urlpatterns,
    *console.urlpatterns,
    *training.urlpatterns,
]
