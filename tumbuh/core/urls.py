from django.conf import settings
from django.urls import path

from tumbuh.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/<str:code>/", views.switch_language, name="switch-language"),
]

if settings.MEDIA_URL.startswith("/"):
    # Public media served by the app itself (local storage without a reverse proxy in front).
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", views.public_media, name="media")
    )
