from django.conf import settings
from django.urls import path

from tumbuh.stores.views import checkout, seller, seller_orders, shop

app_name = "stores"

urlpatterns = [
    # orders (buyer side): cart, checkout, order status by its code
    path("keranjang/", checkout.cart, name="cart"),
    path("keranjang/<slug:slug>/bayar/", checkout.checkout, name="checkout"),
    path("pesanan/<str:code>/", checkout.order_status, name="order-status"),
    path("pesanan/<str:code>/batal/", checkout.order_cancel, name="order-cancel"),
    path("pesanan/<str:code>/tagih/", checkout.order_charge, name="order-charge"),
    # orders (seller side); before "toko-saya/<public_id>/"
    path("toko-saya/pesanan/", seller_orders.seller_orders, name="seller-orders"),
    path("toko-saya/pesanan/<str:code>/", seller_orders.seller_order, name="seller-order"),
    path(
        "toko-saya/<str:public_id>/saldo-produsen/",
        seller_orders.seller_balances,
        name="seller-balances",
    ),
    # seller pages (phone-first, installable)
    path("toko-saya/", seller.seller_home, name="seller-home"),
    path("toko-saya/sw.js", seller.seller_service_worker, name="seller-service-worker"),
    path("toko-saya/manifest.webmanifest", seller.seller_manifest, name="seller-manifest"),
    path("toko-saya/sinkron/", seller.sync, name="seller-sync"),
    path("toko-saya/buka/", seller.open_store, name="open"),
    path("toko-saya/<str:public_id>/", seller.seller_store, name="seller-store"),
    path("toko-saya/<str:public_id>/langkah/<int:step>/", seller.wizard_step, name="wizard-step"),
    path("toko-saya/<str:public_id>/produk/baru/", seller.product_create, name="product-create"),
    path(
        "toko-saya/<str:public_id>/produk/<str:product_id>/",
        seller.product_edit,
        name="product-edit",
    ),
    path(
        "toko-saya/<str:public_id>/produk/<str:product_id>/stok/",
        seller.product_restock,
        name="product-restock",
    ),
    path("toko-saya/<str:public_id>/konsinyasi/", seller.consignment, name="consignment"),
    # storefront; the fixed paths first: a store's slug never contains a dot
    path("toko/", shop.store_list, name="stores"),
    path("toko/sw.js", shop.service_worker, name="service-worker"),
    path("toko/manifest.webmanifest", shop.manifest, name="manifest"),
    path("toko/<slug:slug>/", shop.storefront, name="storefront"),
    path("toko/<slug:slug>/<slug:product_slug>/", shop.product, name="product"),
]

# The payment sandbox's "pay" button exists only where the sandbox does (DEBUG on, or
# TUMBUH_PAYMENT_SANDBOX=1): with it, anyone could mark an order paid.
if settings.TUMBUH_PAYMENT_SANDBOX:
    urlpatterns.append(
        path("pesanan/<str:code>/sandbox/", checkout.order_sandbox_pay, name="order-sandbox-pay")
    )
