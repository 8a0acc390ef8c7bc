from django.urls import path

from tumbuh.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.login, name="login"),
    path("keluar/", views.logout, name="logout"),
    path("masuk/lupa-sandi/", views.password_reset, name="password-reset"),
    path("masuk/lupa-sandi/terkirim/", views.password_reset_done, name="password-reset-done"),
    path(
        "masuk/atur-sandi/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "masuk/atur-sandi/selesai/", views.password_reset_complete, name="password-reset-complete"
    ),
    path("konsol/", views.console_home, name="console-home"),
    path("konsol/organisasi/", views.organisation_list, name="organisation-list"),
    path("konsol/organisasi/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("konsol/organisasi/<slug:slug>/kunci-api/", views.api_key_issue, name="api-key-issue"),
    path(
        "konsol/organisasi/<slug:slug>/atur-ulang-sandi/",
        views.member_password_reset,
        name="member-password-reset",
    ),
    path(
        "konsol/organisasi/<slug:slug>/kunci-api/<str:prefix>/cabut/",
        views.api_key_revoke,
        name="api-key-revoke",
    ),
]
