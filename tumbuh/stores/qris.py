"""QRIS codec: read, check and write the EMVCo merchant-presented QR payloads used by QRIS.

A QRIS payload is a string of TLV fields: a two-digit tag, a two-digit length and the value.
Lengths count characters (not bytes: the EMVCo sample vector carries Chinese characters), while
the CRC (tag 63, CRC-16/CCITT-FALSE, four uppercase hex digits) is computed over the UTF-8
bytes of everything before it, including the "6304" of the CRC field itself.

- ``parse(payload)`` checks the structure and the CRC and returns a ``QrisPayload``;
- ``crc16(data)`` computes the checksum;
- ``with_amount(static_payload, amount_idr)`` turns a merchant's static sticker into a dynamic
  QR carrying the amount (point of initiation 12, tag 54), with the CRC recomputed.

Every refusal is a ``QrisError`` (a ``ValueError``) whose message says what is wrong, in the
active language. The acquirer table comes from qriskit 0.2.0 (MIT, (c) The qriskit
contributors; see shared/data/PROVENANCE.md, reference/qris_nns_acquirers.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

__all__ = [
    "ACQUIRERS",
    "DYNAMIC",
    "STATIC",
    "QrisError",
    "QrisPayload",
    "build",
    "check_static",
    "crc16",
    "parse",
    "with_amount",
]

STATIC = "11"
DYNAMIC = "12"

#: EMVCo caps a merchant-presented payload at 512 characters.
MAX_PAYLOAD_LENGTH = 512
#: Tag 54 holds at most 13 characters.
MAX_AMOUNT_DIGITS = 13

# Tags every QRIS payload must carry (besides one merchant account template, 26–51).
REQUIRED_TAGS = ("00", "01", "52", "53", "58", "59", "60", "63")
TEMPLATE_TAGS = (
    {f"{n:02d}" for n in range(26, 52)} | {"62", "64"} | {f"{n:02d}" for n in range(80, 100)}
)
MERCHANT_ACCOUNT_TAGS = {f"{n:02d}" for n in range(2, 52)}
NATIONAL_GUID = "ID.CO.QRIS.WWW"


class QrisError(ValueError):
    """A QRIS payload that cannot be used, with the reason in the active language."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class QrisPayload:
    """What a QRIS payload says: who is paid, where, how much (if fixed), through which acquirer."""

    payload: str
    tags: tuple[tuple[str, str], ...]
    point_of_initiation: str
    merchant_name: str
    merchant_city: str
    postal_code: str | None
    country: str
    currency: str
    amount: str | None
    amount_idr: int | None
    mcc: str
    nmid: str | None
    acquirer_nns: str | None
    acquirer: str | None
    merchant_pan: str | None
    terminal_label: str | None
    reference_label: str | None
    tip_kind: str | None
    tip_value: str | None
    crc: str
    templates: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def is_static(self) -> bool:
        return self.point_of_initiation == STATIC

    @property
    def is_dynamic(self) -> bool:
        return self.point_of_initiation == DYNAMIC

    def tag(self, tag: str) -> str | None:
        """The value of a top-level tag, or None."""
        for key, value in self.tags:
            if key == tag:
                return value
        return None


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the UTF-8 bytes, 4 uppercase hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return f"{crc:04X}"


def _split(text: str, *, where: str) -> list[tuple[str, str]]:
    """Split a TLV string into (tag, value) pairs, refusing bad tags, lengths and truncation."""
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4:
            raise QrisError(
                _(
                    "The QRIS code is cut off in %(where)s: an incomplete field at character %(position)d."
                )
                % {"where": where, "position": position + 1},
                code="tlv.truncated",
            )
        tag, length = header[:2], header[2:]
        if not (tag.isascii() and tag.isdigit()):
            raise QrisError(
                _(
                    "The QRIS code is damaged in %(where)s: “%(tag)s” at character %(position)d is not a field number."
                )
                % {"where": where, "tag": tag, "position": position + 1},
                code="tlv.tag",
            )
        if not (length.isascii() and length.isdigit()) or length == "00":
            raise QrisError(
                _(
                    "The QRIS code is damaged: field %(tag)s in %(where)s has an invalid length “%(length)s”."
                )
                % {"where": where, "tag": tag, "length": length},
                code="tlv.length",
            )
        end = position + 4 + int(length)
        if end > len(text):
            raise QrisError(
                _(
                    "The QRIS code is cut off: field %(tag)s in %(where)s is shorter than its stated length."
                )
                % {"where": where, "tag": tag},
                code="tlv.truncated",
            )
        fields.append((tag, text[position + 4 : end]))
        position = end
    return fields


def _join(fields) -> str:
    return "".join(f"{tag}{len(value):02d}{value}" for tag, value in fields)


def build(fields) -> str:
    """Serialise top-level (tag, value) pairs (without tag 63) and append the CRC field."""
    body = _join((tag, value) for tag, value in fields if tag != "63") + "6304"
    return body + crc16(body)


def _amount_idr(amount: str | None, currency: str) -> int | None:
    """Tag 54 as whole rupiah when the currency is IDR (360) and the amount has no cents."""
    if amount is None or currency != "360":
        return None
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return None
    if value != value.to_integral_value() or value <= 0:
        return None
    return int(value)


def parse(payload: str, *, require_static: bool = False) -> QrisPayload:
    """Read a QRIS payload, check its structure, required fields and CRC.

    With ``require_static=True`` a dynamic QR (point of initiation 12, or one already carrying
    an amount) is refused: a store's sticker must be the static one.
    """
    if not isinstance(payload, str):
        raise QrisError(_("The QRIS code must be text."), code="payload.type")
    payload = payload.strip()
    if not payload:
        raise QrisError(_("The QRIS code is empty."), code="payload.empty")
    if len(payload) > MAX_PAYLOAD_LENGTH:
        raise QrisError(
            _("The QRIS code is too long (%(length)d characters; at most %(limit)d).")
            % {"length": len(payload), "limit": MAX_PAYLOAD_LENGTH},
            code="payload.length",
        )
    if not payload.startswith("000201"):
        raise QrisError(
            _("This is not a QRIS code: it must begin with the format field 000201."),
            code="format.indicator",
        )
    where = _("the code")
    fields = _split(payload, where=where)
    tags = [tag for tag, _value in fields]
    if tags[-1] != "63" or len(fields[-1][1]) != 4:
        raise QrisError(
            _("The QRIS code has no checksum at its end (field 63 with 4 characters)."),
            code="crc.missing",
        )
    if tags.count("63") != 1:
        raise QrisError(_("The QRIS code has more than one checksum field."), code="crc.duplicate")
    expected = crc16(payload[:-4])
    if fields[-1][1] != expected:
        raise QrisError(
            _(
                "The QRIS code's checksum is wrong (it says %(found)s, the content gives %(expected)s): "
                "the code was copied or read incorrectly."
            )
            % {"found": fields[-1][1], "expected": expected},
            code="crc.mismatch",
        )
    duplicates = sorted({tag for tag in tags if tags.count(tag) > 1})
    if duplicates:
        raise QrisError(
            _("The QRIS code repeats field(s) %(tags)s.") % {"tags": ", ".join(duplicates)},
            code="tag.duplicate",
        )
    values = dict(fields)
    if "59" not in values:
        raise QrisError(
            _("The QRIS code has no merchant name (field 59)."), code="merchant_name.missing"
        )
    missing = [tag for tag in REQUIRED_TAGS if tag not in values]
    if missing:
        raise QrisError(
            _("The QRIS code lacks required field(s) %(tags)s.") % {"tags": ", ".join(missing)},
            code="tag.missing",
        )
    if not any(tag in MERCHANT_ACCOUNT_TAGS for tag in tags):
        raise QrisError(
            _("The QRIS code has no merchant account information (fields 26 to 51)."),
            code="merchant_account.missing",
        )
    point_of_initiation = values["01"]
    if point_of_initiation not in (STATIC, DYNAMIC):
        raise QrisError(
            _(
                "The QRIS code's point of initiation (field 01) must be 11 (static) or 12 (dynamic), not “%(value)s”."
            )
            % {"value": point_of_initiation},
            code="point_of_initiation.invalid",
        )
    templates: dict[str, tuple[tuple[str, str], ...]] = {}
    for tag, value in fields:
        if tag in TEMPLATE_TAGS:
            templates[tag] = tuple(_split(value, where=_("field %(tag)s") % {"tag": tag}))
    amount = values.get("54")
    if amount is not None:
        try:
            amount_value = Decimal(amount)
        except InvalidOperation:
            amount_value = None
        if amount_value is None or not amount_value.is_finite() or amount_value <= 0:
            raise QrisError(
                _(
                    "The amount in the QRIS code (field 54) must be a number above zero, not “%(value)s”."
                )
                % {"value": amount},
                code="amount.invalid",
            )
    nmid = None
    merchant_pan = None
    acquirer_nns = None
    for tag, sub in templates.items():
        if tag not in MERCHANT_ACCOUNT_TAGS:
            continue
        subfields = dict(sub)
        if tag == "51" or subfields.get("00") == NATIONAL_GUID:
            nmid = nmid or subfields.get("02")
        pan = subfields.get("01")
        if merchant_pan is None and pan and pan.startswith("9360") and len(pan) >= 8:
            merchant_pan = pan
            acquirer_nns = pan[:8]
    additional = dict(templates.get("62", ()))
    tip_indicator = values.get("55")
    tip_kind = (
        {"01": "prompt", "02": "fixed", "03": "percentage"}.get(tip_indicator)
        if tip_indicator
        else None
    )
    tip_value = (
        values.get("56")
        if tip_kind == "fixed"
        else values.get("57")
        if tip_kind == "percentage"
        else None
    )
    result = QrisPayload(
        payload=payload,
        tags=tuple(fields),
        point_of_initiation=point_of_initiation,
        merchant_name=values["59"],
        merchant_city=values["60"],
        postal_code=values.get("61"),
        country=values["58"],
        currency=values["53"],
        amount=amount,
        amount_idr=_amount_idr(amount, values["53"]),
        mcc=values["52"],
        nmid=nmid,
        acquirer_nns=acquirer_nns,
        acquirer=ACQUIRERS.get(acquirer_nns) if acquirer_nns else None,
        merchant_pan=merchant_pan,
        terminal_label=additional.get("07"),
        reference_label=additional.get("05"),
        tip_kind=tip_kind,
        tip_value=tip_value,
        crc=fields[-1][1],
        templates=templates,
    )
    if require_static:
        check_static(result)
    return result


def check_static(qris: QrisPayload) -> QrisPayload:
    """Refuse a dynamic QR where a merchant's static sticker is expected."""
    if not qris.is_static or qris.amount is not None:
        raise QrisError(
            _(
                "This is a dynamic QRIS code (made for one payment with its own amount). "
                "Use the merchant's static QRIS sticker instead."
            ),
            code="point_of_initiation.dynamic",
        )
    return qris


def with_amount(static_payload: str, amount_idr: int) -> str:
    """The dynamic QRIS for one payment of ``amount_idr`` rupiah made from a static QRIS.

    Point of initiation becomes 12, tag 54 carries the amount in whole rupiah at its place in
    EMVCo order (before the first tag numbered above 54), every other tag is kept as it was and
    the CRC is recomputed.
    """
    if isinstance(amount_idr, bool) or not isinstance(amount_idr, int):
        raise QrisError(_("The amount must be a whole number of rupiah."), code="amount.invalid")
    if amount_idr <= 0:
        raise QrisError(_("The amount must be above zero rupiah."), code="amount.invalid")
    amount = str(amount_idr)
    if len(amount) > MAX_AMOUNT_DIGITS:
        raise QrisError(
            _("The amount is too large for a QRIS code (at most %(digits)d digits).")
            % {"digits": MAX_AMOUNT_DIGITS},
            code="amount.invalid",
        )
    qris = parse(static_payload, require_static=True)
    if qris.currency != "360":
        raise QrisError(
            _("This QRIS code is not in rupiah (currency %(currency)s).")
            % {"currency": qris.currency},
            code="currency.invalid",
        )
    fields = [
        (tag, DYNAMIC if tag == "01" else value)
        for tag, value in qris.tags
        if tag not in ("54", "63")
    ]
    position = next(
        (index for index, (tag, _value) in enumerate(fields) if int(tag) > 54), len(fields)
    )
    fields.insert(position, ("54", amount))
    return build(fields)


ACQUIRERS: dict[str, str] = {
    "93600002": "BRI",
    "93600008": "Mandiri",
    "93600009": "BNI",
    "93600011": "Danamon",
    "93600013": "Permata",
    "93600014": "BCA",
    "93600016": "Maybank",
    "93600019": "Panin",
    "93600022": "CIMB Niaga",
    "93600023": "UOB",
    "93600028": "OCBC",
    "93600031": "Citibank",
    "93600036": "CCB Indonesia",
    "93600037": "Artha Graha",
    "93600046": "DBS",
    "93600054": "Bank Capital",
    "93600076": "Bank Bumi Arta",
    "93600110": "bank bjb",
    "93600111": "Bank DKI",
    "93600112": "BPD DIY",
    "93600113": "Bank Jateng",
    "93600114": "Bank Jatim",
    "93600115": "Bank Jambi",
    "93600116": "Bank Aceh Syariah",
    "93600118": "Bank Nagari",
    "93600119": "Bank Riau Kepri",
    "93600120": "Bank Sumsel Babel",
    "93600121": "Bank Lampung",
    "93600122": "Bank Kalsel",
    "93600123": "Bank Kalbar",
    "93600124": "Bankaltimtara",
    "93600126": "Bank Sulselbar",
    "93600127": "Bank SulutGo",
    "93600128": "Bank NTB Syariah",
    "93600129": "BPD Bali",
    "93600130": "Bank NTT",
    "93600131": "Bank Maluku Malut",
    "93600132": "Bank Papua",
    "93600133": "Bank Bengkulu",
    "93600135": "Bank Sultra",
    "93600147": "Bank Muamalat",
    "93600151": "Bank Mestika",
    "93600152": "Bank Shinhan",
    "93600153": "Bank Sinarmas",
    "93600157": "Bank Maspion",
    "93600161": "Bank Ganesha",
    "93600167": "QNB Indonesia",
    "93600200": "BTN",
    "93600213": "BTPN",
    "93600422": "BRI Syariah",
    "93600425": "Bank BJB Syariah",
    "93600426": "Bank Mega",
    "93600441": "KB Bukopin",
    "93600451": "BSI",
    "93600459": "Krom Bank",
    "93600472": "Bank Jasa Jakarta",
    "93600484": "Bank KEB Hana",
    "93600485": "Bank MNC",
    "93600490": "Bank Neo Commerce",
    "93600494": "Bank Raya",
    "93600501": "BCA Digital",
    "93600503": "Nobu Bank",
    "93600506": "Bank Mega Syariah",
    "93600513": "Bank Ina",
    "93600521": "KB Bank Syariah",
    "93600523": "Bank Sahabat Sampoerna",
    "93600531": "Bank Amar",
    "93600535": "SeaBank",
    "93600536": "BCA Syariah",
    "93600542": "Bank Jago",
    "93600547": "BTPN Syariah",
    "93600548": "Bank Multiarta Sentosa",
    "93600553": "Bank Mayora",
    "93600555": "Bank Index",
    "93600564": "Mandiri Taspen",
    "93600566": "Bank Victoria",
    "93600567": "Allo Bank",
    "93600689": "BPRS Hijra",
    "93600777": "Finpay",
    "93600789": "IMkas",
    "93600808": "Bayarind",
    "93600811": "OttoCash",
    "93600812": "Kaspro",
    "93600813": "GAJA",
    "93600814": "Netzme",
    "93600815": "SpeedCash",
    "93600816": "MotionPay",
    "93600817": "YUKK",
    "93600818": "Paydia",
    "93600820": "PAC Cash",
    "93600821": "Midazpay",
    "93600822": "AstraPay",
    "93600823": "Paprika",
    "93600824": "Visi Jaya Indonesia",
    "93600825": "ZIPAY",
    "93600826": "Dipay",
    "93600827": "Fello",
    "93600828": "TrueMoney",
    "93600829": "M-Bayar",
    "93600830": "YODU",
    "93600831": "Inacash",
    "93600832": "GDC Pay",
    "93600833": "WIDE",
    "93600834": "DUWIT",
    "93600835": "Virgo",
    "93600836": "Nusapay",
    "93600838": "Dutamoney",
    "93600839": "Cashlez",
    "93600842": "Qoin",
    "93600844": "WOI",
    "93600898": "Telkom",
    "93600899": "DOKU",
    "93600911": "LinkAja",
    "93600912": "OVO",
    "93600914": "GoPay",
    "93600915": "DANA",
    "93600916": "GudangVoucher",
    "93600917": "Paytren",
    "93600918": "ShopeePay",
    "93600919": "Bluepay",
    "93600920": "i.saku",
    "93600921": "Saldomu",
    "93600922": "Ezeelink",
    "93600947": "Bank Aladin Syariah",
    "93600950": "Bank Commonwealth",
    "93600998": "Digital Solusi Pratama",
    "93600999": "AHDI",
    "93608161": "Pospay",
}
