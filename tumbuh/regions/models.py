"""Indonesia's administrative regions (Kemendagri), islands, 3T designations and priority areas.

Loaded from the real data shipped in ``tumbuh/regions/data`` by ``tumbuh load_regions``. The
Kemendagri code in dotted form is the primary key at every level (province ``32``, regency
``32.04``, district ``32.04.12``, village ``32.04.12.2001``), so a foreign key to a region holds
its code and region scoping works by code prefix without joins.
"""

from zoneinfo import ZoneInfo

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.core.times import zone_info


class CentroidPrecision(models.TextChoices):
    POLYGON_CENTROID = "polygon_centroid", _("centre of the region's (simplified) boundary")
    DISTRICT_CENTROID_FALLBACK = (
        "district_centroid_fallback",
        _("centre of the district (no village boundary in the source)"),
    )


class TimeZone(models.TextChoices):
    """Indonesia's three time zones, named as Indonesians name them (their rules and IANA names
    are in ``core.times``)."""

    WIB = "WIB", _("WIB (UTC+7)")
    WITA = "WITA", _("WITA (UTC+8)")
    WIT = "WIT", _("WIT (UTC+9)")


class Region(models.Model):
    """Fields every administrative level shares: code, name and the centre point."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    centroid_precision = models.CharField(
        max_length=32, choices=CentroidPrecision.choices, blank=True
    )

    region_field = "code"

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class Province(Region):
    """A province (provinsi), e.g. 32 Jawa Barat. Holds the time zone its regions show."""

    time_zone = models.CharField(_("time zone"), max_length=4, choices=TimeZone.choices)
    population = models.PositiveIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)

    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def get_absolute_url(self):
        return reverse("regions:picker") + f"?province={self.code}"

    @property
    def zoneinfo(self) -> ZoneInfo:
        return zone_info(self)


class Regency(Region):
    """A regency (kabupaten) or city (kota), e.g. 32.04 Kabupaten Bandung.

    The 3T flags come from ``programme/regions_3t.csv``: daerah tertinggal (Perpres 63/2020),
    a regency on the land border, and a regency with an outermost small island. Tumbuh treats a
    regency as 3T when any of the three holds (docs/decisions/0002-3t-is-the-union.md).
    """

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("regency (kabupaten)")
        KOTA = "kota", _("city (kota)")

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    population = models.PositiveIntegerField(null=True, blank=True)
    area_km2 = models.FloatField(null=True, blank=True)
    is_disadvantaged = models.BooleanField(_("disadvantaged (daerah tertinggal)"), default=False)
    is_land_border = models.BooleanField(_("on the land border"), default=False)
    has_outermost_small_island = models.BooleanField(
        _("has an outermost small island"), default=False
    )
    is_3t = models.BooleanField(
        _("3T"),
        default=False,
        db_index=True,
        help_text=_("Any of: disadvantaged, land border, outermost small island."),
    )

    class Meta(Region.Meta):
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_3t=False)
                | models.Q(is_disadvantaged=True)
                | models.Q(is_land_border=True)
                | models.Q(has_outermost_small_island=True),
                name="regency_3t_has_a_reason",
            ),
        ]


class District(Region):
    """A district (kecamatan, or distrik in Papua), e.g. 32.04.12."""

    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    class Meta(Region.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Village(Region):
    """A village: a desa (own code part starting with 2), an urban kelurahan (starting with 1) or
    a customary desa adat (starting with 3; 14 of them, all in Kabupaten Jayapura).

    ``regency`` repeats the district's regency so that 3T and regency filters take one join.
    """

    class Kind(models.TextChoices):
        DESA = "desa", _("village (desa)")
        KELURAHAN = "kelurahan", _("urban village (kelurahan)")
        DESA_ADAT = "desa_adat", _("customary village (desa adat)")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="villages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")

    @property
    def is_3t(self) -> bool:
        """A village is 3T when its regency is."""
        return self.regency.is_3t

    @property
    def province_code(self) -> str:
        return self.code[:2]


class Island(models.Model):
    """An island in the Kemendagri island register, e.g. 11.01.40001 Pulau Batukapal.

    56 islands are recorded at province level and have no regency. ``is_outermost_small`` marks
    the pulau-pulau kecil terluar (110 in the data; Keppres 6/2017 lists 111).
    """

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="islands")
    regency = models.ForeignKey(
        Regency, null=True, blank=True, on_delete=models.PROTECT, related_name="islands"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    is_populated = models.BooleanField(default=False)
    is_outermost_small = models.BooleanField(default=False)

    region_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("island")
        verbose_name_plural = _("islands")

    def __str__(self):
        return self.name


class ThreeTDesignation(models.Model):
    """Why a regency counts as 3T: one row per category and its source, as shipped."""

    class Category(models.TextChoices):
        DISADVANTAGED = "daerah_tertinggal_2020_2024", _("Disadvantaged region 2020–2024")
        LAND_BORDER = "perbatasan_darat", _("Land border")
        OUTERMOST_SMALL_ISLAND = "pulau_kecil_terluar", _("Outermost small island")

    regency = models.ForeignKey(Regency, on_delete=models.CASCADE, related_name="designations")
    category = models.CharField(max_length=32, choices=Category.choices)
    source = models.TextField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["regency_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "category"], name="designation_unique_per_category"
            ),
        ]

    def __str__(self):
        return f"{self.regency_id} {self.category}"


class PriorityArea(models.Model):
    """A priority area (kawasan prioritas): a named set of regencies that a programme targets.

    Loaded from ``programme/priority_areas.csv`` (the 5 super-priority and 10 priority tourism
    destinations, and the 13 provinces of the 2022 digital-adoption programme) and then edited
    by ministry staff in the console. The loader refreshes an area until someone edits it
    (``edited_at`` set); after that it never overwrites it unless asked to reset.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    collection = models.CharField(
        _("collection"),
        max_length=40,
        blank=True,
        help_text=_("The list this area belongs to, e.g. dpsp_5 or atd_2022_13_kawasan."),
    )
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    regencies = models.ManyToManyField(
        Regency, through="PriorityAreaRegency", related_name="priority_areas"
    )
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(
        null=True, blank=True, help_text="When ministry staff last edited it; empty if as shipped."
    )

    class Meta:
        ordering = ["collection", "name"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:area-detail", args=[self.slug])


class PriorityAreaRegency(models.Model):
    """A regency's place in a priority area: its core, a surrounding regency, or province-wide."""

    class Role(models.TextChoices):
        CORE = "core", _("core")
        SURROUNDING = "surrounding", _("surrounding")
        PROVINCE = "province", _("part of a province-wide area")

    area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="members")
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CORE)

    class Meta:
        ordering = ["regency_id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "regency"], name="area_regency_unique"),
        ]

    def __str__(self):
        return f"{self.area} · {self.regency_id}"
