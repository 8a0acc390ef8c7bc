"""Demo stores: UMKM and BumDes stores across the demo provinces, 3T villages first.

Synthetic, generated from the seed: each chosen business opens a store through the same
services as the wizard — location, delivery, payments, its first products, then publishing — so
the ``store_live`` milestone exists because the store went live. Products have photos drawn with
Pillow (no photo of a real product is used). Among the businesses are participants of the
flagship training programme who attended every session: their store going live is the outcome
that completes their enrolment (through the milestone, as for a real seller). BumDes stores sell some of
their district's UMKM products on consignment. The demo QRIS stickers are made-up static QRIS
payloads (merchant names of the demo stores, NMIDs starting ``IDDEMO``): no real merchant.
Running the demo again reuses the stores it made. Orders are added by ``load_orders``.
"""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from tumbuh.accounts.models import User
from tumbuh.accounts.services import system_actor
from tumbuh.core.demodata import DemoReport, demo_password
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import link_account
from tumbuh.stores import qris, queries
from tumbuh.stores.models import Product, Store
from tumbuh.stores.services import shop

STORES = 40
BUMDES_STORES = 12
TRAINED_STORES = 16  # at most; programme participants whose store completes their enrolment
SELLER_LOGIN = "penjual@demo.tumbuh.id"
SELLER_NAME = "Yohana Bria"
SELLER_REGENCY = "53.04"  # Belu, where the accounts demo's BumDes organisation of the seller is

# What the demo sells: (category, titles, unit, price range in rupiah, weight in grams).
CATALOGUE = [
    (
        "food",
        [
            "Keripik Singkong Pedas",
            "Abon Ikan Tuna",
            "Sambal Roa",
            "Kopi Bubuk Robusta",
            "Dodol Rumput Laut",
            "Madu Hutan",
            "Kue Rambut",
            "Gula Aren Cetak",
            "Jagung Bose Instan",
            "Se'i Sapi Asap",
        ],
        "bungkus",
        (12_000, 95_000),
        250,
    ),
    (
        "crafts",
        [
            "Kain Tenun Ikat",
            "Selendang Songket",
            "Tas Anyaman Lontar",
            "Topi Ti'i Langga",
            "Keranjang Rotan",
            "Gelang Manik-manik",
        ],
        "buah",
        (35_000, 750_000),
        400,
    ),
    (
        "fashion",
        ["Kemeja Batik Tulis", "Sarung Tenun", "Sandal Kulit", "Kaos Sablon Motif Daerah"],
        "potong",
        (60_000, 450_000),
        300,
    ),
    (
        "beauty",
        ["Minyak Kelapa Murni", "Sabun Sereh Wangi", "Lulur Rempah"],
        "botol",
        (15_000, 80_000),
        200,
    ),
    (
        "agriculture",
        [
            "Beras Merah Organik",
            "Kacang Tanah Kupas",
            "Garam Krosok",
            "Cabai Kering",
            "Kemiri Kupas",
        ],
        "kg",
        (10_000, 60_000),
        1000,
    ),
    (
        "household",
        ["Sapu Lidi", "Tikar Pandan", "Bakul Bambu", "Gerabah Tanah Liat"],
        "buah",
        (8_000, 120_000),
        800,
    ),
]
COLOURS = ["#7a3b12", "#0b6b3a", "#a4161a", "#1d4e89", "#b08900", "#5a3d8a", "#2f6f6f"]


def _photo(title: str, rng: random.Random) -> SimpleUploadedFile:
    """A simple drawn picture for a product: coloured shapes and the product's initials."""
    image = Image.new("RGB", (480, 360), rng.choice(COLOURS))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(0, 420), rng.randrange(0, 300)
        size = rng.randrange(40, 160)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x, y, x + size, y + size * 3 // 4], fill=rng.choice(COLOURS), outline="white")
    initials = "".join(word[0] for word in title.split()[:3]).upper()
    draw.rectangle([150, 130, 330, 230], fill="white")
    draw.text((240, 180), initials, fill="black", anchor="mm", font_size=64)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


def demo_qris(name: str, number: int, city: str) -> str:
    """A made-up static QRIS for a demo store (valid structure and CRC; no real merchant)."""
    nmid = f"IDDEMO{number:09d}"
    account = [
        ("00", "ID.CO.QRIS.WWW"),
        ("01", f"93600000{number:08d}"),
        ("02", nmid),
        ("03", "UMI"),
    ]
    merchant = qris._join(account)
    return qris.build(
        [
            ("00", "01"),
            ("01", qris.STATIC),
            ("51", merchant),
            ("52", "5499"),
            ("53", "360"),
            ("58", "ID"),
            ("59", name[:25].upper()),
            ("60", city[:15].upper()),
        ]
    )


def _trained_participants() -> list[Enterprise]:
    """Businesses that attended every session of a programme whose completion needs a live store.

    Their enrolment waits for the ``store_live`` milestone (or, on a second run, was completed
    by it); about two in three open their store in the demo, the others are still preparing it.
    """
    from tumbuh.programmes.models import Enrolment
    from tumbuh.programmes.services import completion_status

    waiting = []
    enrolments = (
        Enrolment.objects.filter(status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED])
        .select_related("cohort__programme", "enterprise__village__regency")
        .order_by("pk")
    )
    for enrolment in enrolments:
        if "store_live" not in enrolment.cohort.programme.milestones_required:
            continue
        status = completion_status(enrolment)
        if status["sessions_attended"] >= status["sessions_required"]:
            waiting.append(enrolment.enterprise)
    return [enterprise for number, enterprise in enumerate(waiting) if number % 3 != 2]


def _choose(rng: random.Random) -> list[Enterprise]:
    businesses = list(
        Enterprise.objects.deduplicated().select_related("village__regency").order_by("pk")
    )
    bumdes = [e for e in businesses if e.kind == Enterprise.Kind.BUMDES]
    umkm = [e for e in businesses if e.kind == Enterprise.Kind.UMKM]
    # 3T villages first among the BumDes (BumDes Smart is for them), then the others; the
    # very first, whose manager is the demo seller login, in the seller's regency (Belu).
    bumdes.sort(
        key=lambda e: (
            e.village.regency_id != SELLER_REGENCY,
            not e.village.regency.is_3t,
            rng.random(),
        )
    )
    chosen_bumdes = bumdes[:BUMDES_STORES]
    trained = [e for e in _trained_participants() if e not in chosen_bumdes][:TRAINED_STORES]
    by_province: dict[str, list[Enterprise]] = {}
    for enterprise in umkm:
        if enterprise not in trained:
            by_province.setdefault(enterprise.village_id[:2], []).append(enterprise)
    chosen_umkm = []
    wanted = STORES - len(chosen_bumdes) - len(trained)
    provinces = sorted(by_province)
    for province in provinces:
        pool = by_province[province]
        rng.shuffle(pool)
        # 3T businesses first inside each province too.
        pool.sort(key=lambda e: not e.village.regency.is_3t)
        chosen_umkm += pool[: wanted // max(1, len(provinces)) + 1]
    return chosen_bumdes + trained + chosen_umkm[: max(0, wanted)]


def _open(enterprise: Enterprise, rng: random.Random, number: int, *, by: User) -> Store:
    """A store set up through the wizard's services, not yet live (it has no products yet)."""
    name = (
        enterprise.name
        if enterprise.name.lower().startswith(("toko", "bumdes", "bum desa"))
        else (f"Toko {enterprise.name}")
    )
    store = shop.start_store(
        enterprise=enterprise,
        name=name[:80],
        description=rng.choice(
            [
                "Produk lokal pilihan, dikemas rapi dan dikirim dari desa.",
                "Hasil usaha warga desa: segar, asli dan harga bersahabat.",
                "Belanja langsung dari pembuatnya. Bisa ambil di tempat atau diantar.",
            ]
        ),
        by=by,
    )
    shop.set_store_location(
        store=store,
        village_code=enterprise.village_id,
        pickup_point=f"Kantor {enterprise.name}"[:200]
        if enterprise.kind == "bumdes"
        else "Rumah produksi",
        by=by,
    )
    shop.set_store_delivery(
        store=store,
        offers_pickup=True,
        offers_local_delivery=True,
        zones=[
            shop.Zone(
                f"Desa {enterprise.village.name}",
                0 if rng.random() < 0.3 else 5_000,
                enterprise.village_id,
            ),
            shop.Zone("Kecamatan sekitar", 15_000, enterprise.village_id[:8]),
        ],
        offers_courier=rng.random() < 0.6,
        courier_rate_idr=rng.choice([20_000, 25_000, 35_000]),
        courier_note="Ongkir kurir disepakati lewat WhatsApp untuk luar kabupaten.",
        by=by,
    )
    shop.set_store_payments(
        store=store,
        whatsapp=f"0812{rng.randrange(10_000_000, 99_999_999)}",
        accepts_cod=True,
        accepts_transfer=rng.random() < 0.5,
        bank_name="Bank Mitra Desa (demo)",
        bank_account_number=str(rng.randrange(10**9, 10**10)),
        bank_account_holder=enterprise.name[:100],
        accepts_qris=True,
        qris_payload=demo_qris(store.name, number, enterprise.village.regency.name),
        accepts_provider=rng.random() < 0.3,
        by=by,
    )
    return store


def _stock(store: Store, rng: random.Random, producers: list[Enterprise], *, by: User) -> int:
    made = 0
    for _ in range(rng.randint(5, 11)):
        category, titles, unit, (low, high), weight = rng.choice(CATALOGUE)
        title = rng.choice(titles)
        price = rng.randrange(low, high) // 500 * 500 or 500
        producer = None
        share = 0
        if producers and rng.random() < 0.5:
            producer = rng.choice(producers)
            share = rng.choice([70, 75, 80, 85, 90])
        tiers = []
        if rng.random() < 0.35:
            tiers = [shop.Tier(10, price * 9 // 10), shop.Tier(50, price * 8 // 10)]
        photo = _photo(title, rng)
        stock = rng.choice([0, 3, 8, 15, 40, 120])
        if Product.objects.filter(store=store, title=title).exists():
            continue
        shop.create_product(
            store=store,
            title=title,
            description=f"{title} buatan {(producer or store.enterprise).name}, "
            f"{store.village.name}. Dibuat dalam jumlah kecil dan dikemas rapi.",
            category=category,
            price_idr=price,
            unit=unit,
            weight_grams=weight,
            stock=stock,
            producer=producer,
            consignment_share_percent=share,
            photo=photo,
            tiers=tiers,
            by=by,
        )
        made += 1
    return made


def load(*, seed: int, report: DemoReport) -> None:
    rng = random.Random(f"stores:{seed}")
    chosen = _choose(rng)
    if not chosen:
        report.say("stores: no demo businesses to open stores for")
        return
    system = system_actor()
    stores = []
    made_products = 0
    for number, enterprise in enumerate(chosen, start=1):
        store_rng = random.Random(f"stores:{seed}:{enterprise.pk}")
        store = Store.objects.filter(enterprise=enterprise).first()
        if store is None:
            with transaction.atomic():
                store = _open(enterprise, store_rng, number, by=system)
                producers = []
                if enterprise.kind == Enterprise.Kind.BUMDES:
                    producers = [
                        p
                        for p in queries.producers_for(store, limit=6)
                        if p.pk != enterprise.pk and p.kind == Enterprise.Kind.UMKM
                    ]
                made_products += _stock(store, store_rng, producers, by=system)
                store = shop.publish_store(store=store, by=system)
        stores.append(store)

    user = User.objects.filter(email=SELLER_LOGIN).first()
    if user is None:
        user = User.objects.create_user(email=SELLER_LOGIN, full_name=SELLER_NAME)
    password = demo_password(SELLER_LOGIN, seed)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    seller_store = stores[0]
    link_account(user=user, enterprise=seller_store.enterprise, role="manager", by=system)
    report.add_login(SELLER_LOGIN, password, f"Pengelola toko (store manager), {seller_store.name}")
    load_orders(seed=seed, report=report, stores=stores)
    in_3t = sum(1 for s in stores if s.village.regency.is_3t)
    report.say(
        f"stores: {len(stores)} live stores ({sum(1 for s in stores if s.is_bumdes)} BumDes, "
        f"{in_3t} in 3T regencies), {Product.objects.filter(store__in=stores).count()} products "
        f"({made_products} new this run) with drawn photos"
    )
    report.add_link(seller_store.get_absolute_url(), f"Toko {seller_store.name} (storefront)")
    report.add_link("/toko-saya/", "Toko saya (seller pages)")


def load_orders(*, seed: int, report: DemoReport, stores: list[Store]) -> None:
    """Demo orders in every status for ``stores``: filled in by the orders part of the app.

    Called once per demo run after the stores exist; it must be idempotent and deterministic
    from ``seed`` like the rest of the demo.
    """
    from tumbuh.stores.demo_orders import load

    load(seed=seed, report=report, stores=stores)
