from django.urls import path

from tumbuh.registry import views

app_name = "registry"

urlpatterns = [
    path("konsol/registri/", views.enterprise_list, name="enterprise-list"),
    path(
        "konsol/registri/usaha/<str:public_id>/", views.enterprise_detail, name="enterprise-detail"
    ),
    path(
        "konsol/registri/usaha/<str:public_id>/penggabungan/<int:merge_id>/batalkan/",
        views.merge_undo,
        name="merge-undo",
    ),
    path("konsol/registri/impor/", views.import_list, name="import-list"),
    path("konsol/registri/impor/<str:public_id>/", views.import_detail, name="import-detail"),
    path(
        "konsol/registri/impor/<str:public_id>/laporan.csv",
        views.import_report_csv,
        name="import-report-csv",
    ),
    path(
        "konsol/registri/impor/<str:public_id>/laporan.xlsx",
        views.import_report_xlsx,
        name="import-report-xlsx",
    ),
    path("konsol/registri/tinjau/", views.review_queue, name="review-queue"),
    path("konsol/registri/tinjau/<int:candidate_id>/", views.review_pair, name="review-pair"),
    path(
        "konsol/registri/tinjau/<int:candidate_id>/putuskan/",
        views.review_decide,
        name="review-decide",
    ),
    path("konsol/registri/mitra/", views.scorecard, name="scorecard"),
]
