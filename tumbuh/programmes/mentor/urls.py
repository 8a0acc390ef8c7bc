"""The mentor app's URLs, included by ``tumbuh.programmes.urls`` under ``pendamping/``.

No ``app_name`` here: the names live in the ``programmes`` namespace with the prefix
``mentor-`` (``programmes:mentor-home``, ``programmes:mentor-sync``, ...).
"""

from django.urls import path

from tumbuh.programmes.mentor import views

urlpatterns = [
    path("sw.js", views.service_worker, name="mentor-service-worker"),
    path("manifest.webmanifest", views.manifest, name="mentor-manifest"),
    path("cek-sinyal/uji.bin", views.signal_probe, name="mentor-signal-probe"),
]
