from django.urls import include, path, re_path

from tumbuh.programmes import views

app_name = "programmes"

urlpatterns = [
    # Public: anyone can check a certificate.
    path("sertifikat/", views.certificate_lookup, name="certificate-lookup"),
    path("sertifikat/<str:code>/", views.certificate, name="certificate"),
    path("sertifikat/<str:code>/unduh/", views.certificate_download, name="certificate-pdf"),
    # A code typed with a slash or other junk: the lookup page says so (never a bare 404).
    re_path(r"^sertifikat/(?P<typed>.+)$", views.certificate_typed, name="certificate-typed"),
    path("program/angkatan/<str:public_id>/", views.cohort_public, name="cohort-public"),
    # Console.
    path("konsol/program/", views.console_home, name="console-home"),
    path("konsol/program/angkatan/", views.cohort_list, name="cohort-list"),
    path("konsol/program/angkatan/<str:public_id>/", views.cohort_detail, name="cohort-detail"),
    path(
        "konsol/program/peserta/<str:public_id>/", views.enrolment_detail, name="enrolment-detail"
    ),
    path(
        "konsol/program/peserta/<str:public_id>/keputusan/",
        views.enrolment_decide,
        name="enrolment-decide",
    ),
    path(
        "konsol/program/peserta/<str:public_id>/manfaat/",
        views.enrolment_benefit,
        name="enrolment-benefit",
    ),
    path(
        "konsol/program/peserta/<str:public_id>/pendamping/",
        views.enrolment_assign,
        name="enrolment-assign",
    ),
    path(
        "konsol/program/sertifikat/<str:code>/cabut/",
        views.certificate_revoke,
        name="certificate-revoke",
    ),
    path("konsol/program/baru/", views.programme_create, name="programme-create"),
    path(
        "konsol/program/angkatan/<str:public_id>/sesi-baru/",
        views.session_create,
        name="session-create",
    ),
    path("konsol/program/pendamping/", views.mentor_list, name="console-mentors"),
    path("konsol/program/pendamping.csv", views.mentors_csv, name="console-mentors-csv"),
    path(
        "konsol/program/pendamping/<str:public_id>/",
        views.mentor_detail,
        name="console-mentor-detail",
    ),
    path("konsol/program/<str:public_id>/", views.programme_detail, name="programme-detail"),
    path(
        "konsol/program/<str:public_id>/angkatan-baru/", views.cohort_create, name="cohort-create"
    ),
    path("konsol/program/<str:public_id>/ubah/", views.programme_edit, name="programme-edit"),
    path("konsol/program/<str:public_id>/progres.csv", views.progress_csv, name="progress-csv"),
    path("konsol/program/<str:public_id>/peserta.csv", views.enrolments_csv, name="enrolments-csv"),
    path(
        "konsol/program/<str:public_id>/kawasan/<slug:area_slug>/",
        views.area_detail,
        name="area-detail",
    ),
    path(
        "konsol/program/sesi/<str:session_id>/kehadiran/<str:enterprise_id>/foto",
        views.attendance_evidence,
        name="attendance-evidence",
    ),
    # The mentor app (its URL names are prefixed ``mentor-``).
    path("pendamping/", include("tumbuh.programmes.mentor.urls")),
]
