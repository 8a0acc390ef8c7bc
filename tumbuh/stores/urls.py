from django.urls import path

from tumbuh.stores.views import seller, shop

app_name = "stores"

urlpatterns = [
    # seller pages
    path("toko-saya/", seller.seller_home, name="seller-home"),
    path("toko-saya/buka/", seller.open_store, name="open"),
    # storefront (keep last: /toko/<slug>/ would match other /toko/ paths)
    path("toko/<slug:slug>/", shop.storefront, name="storefront"),
    path("toko/<slug:slug>/<slug:product_slug>/", shop.product, name="product"),
]
