from django.urls import path

from tumbuh.connectivity import views

app_name = "connectivity"

urlpatterns = [
    path("konsol/konektivitas/", views.home, name="home"),
    path("konsol/konektivitas/peringkat/", views.ranking, name="ranking"),
    path("konsol/konektivitas/desa/<str:code>/", views.village, name="village"),
    path("konsol/konektivitas/rencana/", views.plan_list, name="plan-list"),
    path("konsol/konektivitas/rencana/baru/", views.plan_create, name="plan-create"),
    path("konsol/konektivitas/rencana/<str:public_id>/", views.plan_detail, name="plan-detail"),
    path(
        "konsol/konektivitas/rencana/<str:public_id>/batal/",
        views.plan_cancel,
        name="plan-cancel",
    ),
    path(
        "konsol/konektivitas/rencana/<str:public_id>/rencana.csv",
        views.plan_csv,
        name="plan-csv",
    ),
    path("konsol/konektivitas/situs/", views.site_list, name="site-list"),
    path("konsol/konektivitas/situs/<str:public_id>/", views.site_detail, name="site-detail"),
    path("konsol/konektivitas/impor/", views.import_list, name="import-list"),
    path("konsol/konektivitas/impor/<str:public_id>/", views.import_detail, name="import-detail"),
    path(
        "konsol/konektivitas/impor/<str:public_id>/laporan.csv",
        views.import_report_csv,
        name="import-report-csv",
    ),
    path("konsol/konektivitas/peta/", views.maps_page, name="maps"),
]
