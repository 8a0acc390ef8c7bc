"""The mentor app's URLs, included by ``tumbuh.programmes.urls`` under ``pendamping/``.

No ``app_name`` here: the names live in the ``programmes`` namespace with the prefix
``mentor-`` (``programmes:mentor-home``, ``programmes:mentor-sync``, ...).
"""

from django.urls import path

from tumbuh.programmes.mentor import views

urlpatterns = [
    path("", views.home, name="mentor-home"),
    path("binaan/", views.caseload_list, name="mentor-caseload"),
    path("binaan/<str:public_id>/", views.business_detail, name="mentor-business"),
    path("binaan/<str:public_id>/catatan/", views.note_new, name="mentor-note-new"),
    path("catatan/<str:public_id>/", views.note_edit, name="mentor-note"),
    path("sesi/<str:public_id>/", views.session_detail, name="mentor-session"),
    path("cek-sinyal/", views.signal_check, name="mentor-signal-check"),
    path("cek-sinyal/uji.bin", views.signal_probe, name="mentor-signal-probe"),
    path("sinkron/", views.sync_batch, name="mentor-sync"),
    path("paket.json", views.bundle, name="mentor-bundle"),
    path("sw.js", views.service_worker, name="mentor-service-worker"),
    path("manifest.webmanifest", views.manifest, name="mentor-manifest"),
]
