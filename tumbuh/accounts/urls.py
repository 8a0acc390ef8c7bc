from django.urls import path

from tumbuh.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login, name="login"),
    path("keluar/", views.logout, name="logout"),
    path("konsol/", views.console_home, name="console-home"),
    path("konsol/organisasi/", views.organisation_list, name="organisation-list"),
    path("konsol/organisasi/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("konsol/organisasi/<slug:slug>/kunci-api/", views.api_key_issue, name="api-key-issue"),
    path(
        "konsol/organisasi/<slug:slug>/kunci-api/<str:prefix>/cabut/",
        views.api_key_revoke,
        name="api-key-revoke",
    ),
]
