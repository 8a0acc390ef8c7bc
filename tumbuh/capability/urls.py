from django.urls import path

from tumbuh.capability import views

app_name = "capability"

urlpatterns = [
    path("kecakapan-digital/", views.self_assessment, name="self-assessment"),
    path("kecakapan-digital/<str:public_id>/mulai/", views.start, name="start"),
    path(
        "kecakapan-digital/<str:public_id>/pertanyaan/<int:number>/",
        views.question,
        name="question",
    ),
    path("kecakapan-digital/<str:public_id>/kirim/", views.review, name="review"),
    path("kecakapan-digital/<str:public_id>/hasil/", views.result, name="result"),
    path("konsol/kecakapan/", views.console_home, name="console-home"),
    path("konsol/kecakapan/usaha/<str:public_id>/", views.enterprise_history, name="enterprise"),
    path(
        "konsol/kecakapan/usaha/<str:public_id>/asesmen/",
        views.administer,
        name="administer",
    ),
]
