"""The QRIS codec against the shipped vectors, property round trips and corrupted payloads."""

import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tumbuh.stores import qris

VECTORS = json.loads(
    (Path(__file__).parent / "qris_test_vectors.json").read_text(encoding="utf-8")
)["vectors"]
BY_NAME = {vector["name"]: vector for vector in VECTORS}
STATIC_GOPAY = BY_NAME["static-gopay"]["payload"]
POINT = {"static": qris.STATIC, "dynamic": qris.DYNAMIC}


def test_crc16_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert qris.crc16("123456789") == "29B1"
    assert qris.crc16("") == "FFFF"


@pytest.mark.parametrize(
    "vector",
    [v for v in VECTORS if not v["issues"] or "crc.mismatch" not in v["issues"]],
    ids=lambda v: v["name"],
)
def test_valid_vectors_parse_and_rebuild(vector):
    parsed = qris.parse(vector["payload"])
    expect = vector["expect"]
    if "point_of_initiation" in expect:
        assert parsed.point_of_initiation == POINT[expect["point_of_initiation"]]
    for key in (
        "merchant_name",
        "merchant_city",
        "currency",
        "nmid",
        "postal_code",
        "acquirer",
        "crc",
    ):
        if key in expect:
            assert getattr(parsed, key) == expect[key], key
    if "amount" in expect:
        assert parsed.amount == expect["amount"]
    for key in ("tip_kind", "tip_value", "reference_label", "terminal_label"):
        if key in expect:
            assert getattr(parsed, key) == expect[key], key
    assert parsed.crc == vector["payload"][-4:]
    assert qris.build(parsed.tags) == vector["payload"]


def test_crc_mismatch_vector_refused():
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(BY_NAME["crc-mismatch"]["payload"])
    assert caught.value.code == "crc.mismatch"
    assert "0000" in str(caught.value) and "3ACC" in str(caught.value)


def test_static_gopay_fields():
    parsed = qris.parse(STATIC_GOPAY, require_static=True)
    assert parsed.is_static
    assert parsed.merchant_city == "JAKARTA"
    assert parsed.postal_code == "10110"
    assert parsed.country == "ID"
    assert parsed.currency == "360"
    assert parsed.mcc == "5812"
    assert parsed.amount_idr is None
    assert parsed.acquirer_nns == "93600914"
    assert parsed.merchant_pan == "9360091412345678901"
    assert [tag for tag, _value in parsed.tags] == [
        "00",
        "01",
        "26",
        "51",
        "52",
        "53",
        "58",
        "59",
        "60",
        "61",
        "62",
        "63",
    ]


def test_lengths_count_characters_and_crc_counts_utf8_bytes():
    parsed = qris.parse(BY_NAME["emvco-spec-sample"]["payload"])
    assert dict(parsed.templates["64"])["01"] == "最佳运输"
    assert parsed.amount_idr is None  # yuan with cents: not rupiah
    assert qris.parse(BY_NAME["non-ascii-name"]["payload"]).merchant_name == "KOPI SÜSU"


def test_with_amount_matches_the_dynamic_vector():
    made = qris.parse(qris.with_amount(STATIC_GOPAY, 25000))
    reference = qris.parse(BY_NAME["dynamic-fee-reference"]["payload"])
    assert made.is_dynamic and made.amount_idr == 25000 and made.amount == "25000"
    # The vector adds a fee (55, 56) and a reference label (62/05); everything else is equal.
    assert [t for t in made.tags if t[0] not in ("62", "63")] == [
        t for t in reference.tags if t[0] not in ("55", "56", "62", "63")
    ]
    assert dict(made.templates["62"])["07"] == reference.terminal_label


def test_with_amount_keeps_emvco_order():
    made = qris.parse(qris.with_amount(STATIC_GOPAY, 1500))
    tags = [tag for tag, _value in made.tags]
    assert tags == sorted(tags)
    assert tags.index("54") == tags.index("53") + 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (STATIC_GOPAY.replace("5911TOKO CONTOH", ""), "crc.mismatch"),
        ("", "payload.empty"),
        ("hello", "format.indicator"),
        (STATIC_GOPAY[:-8], "crc.missing"),
        (STATIC_GOPAY[:50], "tlv.truncated"),
        (BY_NAME["dynamic-fee-reference"]["payload"], "point_of_initiation.dynamic"),
    ],
)
def test_bad_payloads_refused_with_a_reason(payload, code):
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(payload, require_static=True)
    assert caught.value.code == code
    assert str(caught.value)


def test_missing_merchant_name_refused_even_with_a_good_crc():
    fields = [t for t in qris.parse(STATIC_GOPAY).tags if t[0] != "59"]
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(qris.build(fields))
    assert caught.value.code == "merchant_name.missing"
    assert "59" in str(caught.value)


@pytest.mark.parametrize("dropped", ["52", "53", "58", "60"])
def test_missing_required_tags_refused(dropped):
    fields = [t for t in qris.parse(STATIC_GOPAY).tags if t[0] != dropped]
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(qris.build(fields))
    assert caught.value.code == "tag.missing"
    assert dropped in str(caught.value)


def test_missing_merchant_account_refused():
    fields = [t for t in qris.parse(STATIC_GOPAY).tags if t[0] not in ("26", "51")]
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(qris.build(fields))
    assert caught.value.code == "merchant_account.missing"


def test_broken_template_refused():
    fields = [
        (tag, "0099X" if tag == "62" else value) for tag, value in qris.parse(STATIC_GOPAY).tags
    ]
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(qris.build(fields))
    assert caught.value.code == "tlv.truncated"


@pytest.mark.parametrize("amount", [0, -5, 10**13, 1.5, True, "100"])
def test_with_amount_refuses_bad_amounts(amount):
    with pytest.raises(qris.QrisError) as caught:
        qris.with_amount(STATIC_GOPAY, amount)
    assert caught.value.code == "amount.invalid"


def test_with_amount_refuses_a_dynamic_source():
    with pytest.raises(qris.QrisError) as caught:
        qris.with_amount(qris.with_amount(STATIC_GOPAY, 1000), 2000)
    assert caught.value.code == "point_of_initiation.dynamic"


def test_zero_amount_in_payload_refused():
    fields = list(qris.parse(qris.with_amount(STATIC_GOPAY, 1000)).tags)
    fields = [(tag, "0" if tag == "54" else value) for tag, value in fields]
    with pytest.raises(qris.QrisError) as caught:
        qris.parse(qris.build(fields))
    assert caught.value.code == "amount.invalid"


CORRUPTING = string.digits + string.ascii_uppercase + string.ascii_lowercase + " .-/Ü"


@pytest.mark.parametrize("name", ["static-gopay", "non-ascii-name", "dynamic-fee-reference"])
def test_every_single_character_corruption_is_caught(name):
    payload = BY_NAME[name]["payload"]
    missed = []
    for position, original in enumerate(payload):
        variants = [
            payload[:position] + payload[position + 1 :],
            payload[:position] + original + payload[position:],
        ]
        variants += [
            payload[:position] + c + payload[position + 1 :] for c in CORRUPTING if c != original
        ]
        for variant in variants:
            try:
                qris.parse(variant)
            except qris.QrisError:
                continue
            missed.append((position, variant))
    assert missed == []


# --- property tests: random valid payloads ------------------------------------------------

text = st.text(alphabet=string.ascii_uppercase + string.digits + " .-", min_size=1, max_size=25)


@st.composite
def static_payloads(draw):
    national = [
        ("00", "ID.CO.QRIS.WWW"),
        ("02", draw(st.from_regex(r"ID[0-9]{13}", fullmatch=True))),
        ("03", "UMI"),
    ]
    pan = "93600914" + draw(st.from_regex(r"[0-9]{11}", fullmatch=True))
    account = [("00", "COM.GO-JEK.WWW"), ("01", pan), ("02", draw(text))]
    fields = [
        ("00", "01"),
        ("01", qris.STATIC),
        ("26", qris._join(account)),
        ("51", qris._join(national)),
        ("52", draw(st.from_regex(r"[0-9]{4}", fullmatch=True))),
        ("53", "360"),
        ("58", "ID"),
        ("59", draw(text)),
        ("60", draw(text)),
    ]
    if draw(st.booleans()):
        fields.append(("61", draw(st.from_regex(r"[0-9]{5}", fullmatch=True))))
    if draw(st.booleans()):
        fields.append(("62", qris._join([("07", draw(text))])))
    return qris.build(fields), fields


@settings(max_examples=200, deadline=None)
@given(static_payloads())
def test_random_payloads_round_trip(generated):
    payload, fields = generated
    parsed = qris.parse(payload, require_static=True)
    assert list(parsed.tags[:-1]) == fields
    assert qris.build(parsed.tags) == payload
    assert parsed.merchant_name == dict(fields)["59"]
    assert parsed.acquirer == "GoPay"


@settings(max_examples=200, deadline=None)
@given(static_payloads(), st.integers(min_value=1, max_value=10**13 - 1))
def test_with_amount_round_trip(generated, amount):
    payload, _fields = generated
    dynamic = qris.with_amount(payload, amount)
    parsed = qris.parse(dynamic)
    assert parsed.amount_idr == amount
    assert parsed.is_dynamic
    assert parsed.crc == qris.crc16(dynamic[:-4])
    # Removing the amount and restoring the static point of initiation gives the sticker back.
    restored = [
        (tag, qris.STATIC if tag == "01" else value) for tag, value in parsed.tags if tag != "54"
    ]
    assert qris.build(restored) == payload
