from django.urls import path

from tumbuh.registry import views, views_personal

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
    # Owners' personal data (views_personal): the NIK reveal and its log, owners' requests.
    path(
        "konsol/registri/usaha/<str:public_id>/pemilik/<str:person_id>/nik/",
        views_personal.nik_reveal,
        name="nik-reveal",
    ),
    path("konsol/registri/nik-dibuka/", views_personal.nik_reveal_list, name="nik-reveal-list"),
    path(
        "konsol/registri/permintaan-data/",
        views_personal.data_request_list,
        name="data-request-list",
    ),
    path(
        "konsol/registri/permintaan-data/<str:public_id>/",
        views_personal.data_request_detail,
        name="data-request-detail",
    ),
    path("data-saya/", views_personal.my_data, name="my-data"),
    path("data-saya/permintaan/", views_personal.my_data_request, name="my-data-request"),
    path("data-saya/unduh/", views_personal.my_data_download, name="my-data-download"),
]
