from django.urls import path

from tumbuh.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("bbi/", views.home, name="home"),
    path("bbi/kampanye/<slug:slug>/", views.campaign, name="campaign"),
    path("konsol/bbi/kampanye/", views.console_campaigns, name="console-campaigns"),
    path("konsol/bbi/kampanye/<str:public_id>/", views.console_campaign, name="console-campaign"),
    path(
        "konsol/bbi/kampanye/<str:public_id>/produk/",
        views.console_campaign_product,
        name="console-campaign-product",
    ),
]
