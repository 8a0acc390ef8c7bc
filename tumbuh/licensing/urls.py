from django.urls import path

from tumbuh.licensing import views

app_name = "licensing"

urlpatterns = [
    path("konsol/perizinan/", views.console_home, name="console-home"),
    path("konsol/perizinan/nib/", views.nib_list, name="nib-list"),
    path("konsol/perizinan/halal/", views.halal_list, name="halal-list"),
    path("perizinan/nib/mulai/", views.nib_start, name="nib-start"),
    path("perizinan/nib/<str:public_id>/", views.nib_detail, name="nib-detail"),
    path("perizinan/halal/mulai/", views.halal_start, name="halal-start"),
    path("perizinan/halal/<str:public_id>/", views.halal_detail, name="halal-detail"),
    path(
        "perizinan/halal/<str:public_id>/foto/<str:file_name>",
        views.halal_photo,
        name="halal-photo",
    ),
    path("perizinan/kbli/", views.kbli_search, name="kbli-search"),
]
