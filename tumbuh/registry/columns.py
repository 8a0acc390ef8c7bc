"""The fields of a partner's business list, and the many ways partners name their columns.

``recognise`` maps a file's headers to Tumbuh's fields; the console shows the result as the
column-mapping step, where a person can correct it. Headers are compared after lower-casing and
removing everything but letters and digits, so "No. HP/WA", "no_hp_wa" and "NO HP WA" are equal.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple[str, ...]
    is_personal: bool = False


FIELDS: tuple[Field, ...] = (
    Field("business_name", _("Business name"), ("nama usaha", "nama umkm", "nama toko", "nama bumdes",
          "usaha", "business name", "nama badan usaha", "nama perusahaan", "merek", "nama unit usaha")),
    Field("owner_name", _("Owner's name"), ("nama pemilik", "pemilik", "nama pelaku usaha",
          "penanggung jawab", "nama penanggung jawab", "owner", "owner name", "nama pengelola",
          "nama direktur", "nama lengkap")),
    Field("nik", _("NIK"), ("nik", "nik pemilik", "no ktp", "nomor ktp", "no nik", "nomor induk kependudukan",
          "ktp"), is_personal=True),
    Field("phone", _("Phone or WhatsApp"), ("no hp", "no hp wa", "nomor hp", "no wa", "nomor wa",
          "whatsapp", "no whatsapp", "telepon", "no telepon", "nomor telepon", "hp", "handphone",
          "phone", "kontak", "no kontak"), is_personal=True),
    Field("email", _("E-mail"), ("email", "e mail", "alamat email", "surel")),
    Field("address", _("Address"), ("alamat", "alamat usaha", "alamat lengkap", "address",
          "alamat tempat usaha")),
    Field("village_code", _("Village code"), ("kode desa", "kode kelurahan", "kode desa kelurahan",
          "kode wilayah", "kode kemendagri", "village code", "kode desa kel")),
    Field("village_name", _("Village"), ("desa", "kelurahan", "desa kelurahan", "desa kel",
          "nama desa", "nama kelurahan", "village")),
    Field("district_name", _("District"), ("kecamatan", "kec", "nama kecamatan", "district")),
    Field("regency_name", _("Regency or city"), ("kabupaten", "kota", "kabupaten kota", "kab kota",
          "kab", "nama kabupaten", "regency", "city")),
    Field("province_name", _("Province"), ("provinsi", "prov", "nama provinsi", "province")),
    Field("kbli", _("KBLI code"), ("kbli", "kode kbli", "kbli 2020", "bidang usaha kbli")),
    Field("nib", _("NIB"), ("nib", "nomor induk berusaha", "no nib")),
    Field("kind", _("Kind (UMKM, BumDes, cooperative)"), ("jenis", "jenis usaha", "jenis badan usaha",
          "bentuk usaha", "kind")),
    Field("scale", _("Scale (micro, small, medium)"), ("skala", "skala usaha", "kategori usaha",
          "scale")),
    Field("birth_date", _("Owner's birth date"), ("tanggal lahir", "tgl lahir", "tanggal lahir pemilik",
          "birth date"), is_personal=True),
    Field("sex", _("Owner's sex"), ("jenis kelamin", "jk", "l p", "sex", "gender"), is_personal=True),
    Field("links", _("Online store or social media links"), ("link", "tautan", "link toko",
          "link marketplace", "media sosial", "instagram", "facebook", "website", "situs")),
)  # fmt: skip

FIELDS_BY_KEY = {field.key: field for field in FIELDS}
PERSONAL_FIELDS = frozenset(field.key for field in FIELDS if field.is_personal)


def header_key(header: str) -> str:
    """Lower-case letters and digits only, single-spaced: the form in which headers are compared."""
    return " ".join(re.findall(r"[a-z0-9]+", (header or "").lower()))


_ALIASES = {header_key(alias): field.key for field in FIELDS for alias in field.aliases}


def recognise(headers: list[str]) -> dict[str, str]:
    """Map each recognised field key to the header that holds it (first match wins)."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = _ALIASES.get(header_key(header))
        if key and key not in mapping:
            mapping[key] = header
    return mapping
