"""The shared helpers of core: money text, CSV/XLSX downloads, the region filter, refusals and
idempotent requests."""

import csv
import io
import threading

import openpyxl
import pytest
from django.db import connection
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tumbuh.accounts.models import User
from tumbuh.core.errors import refusal_body
from tumbuh.core.exports import csv_response, safe_cell, streaming_csv_response, xlsx_response
from tumbuh.core.idempotency import IdempotencyConflict, clean_key, run_once
from tumbuh.core.models import IdempotencyRecord
from tumbuh.core.money import decimal_text, local_number, rupiah, thousands
from tumbuh.core.refusals import Refused
from tumbuh.core.region_filter import in_region, region_q
from tumbuh.regions.models import Village

# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "Rp0"),
        (500, "Rp500"),
        (15_000, "Rp15.000"),
        (1_234_567_890, "Rp1.234.567.890"),
        (-2_500, "-Rp2.500"),
        ("12000", "Rp12.000"),
        (1499.6, "Rp1.500"),
        (None, ""),
        ("dua ribu", ""),
        (float("nan"), ""),
    ],
)
def test_rupiah(value, text):
    assert rupiah(value) == text


def test_only_the_number_is_formatted_never_the_text_around_it():
    line = f"- 2 × Keripik, pedas: {rupiah(24_000)}"
    assert line == "- 2 × Keripik, pedas: Rp24.000"


@given(st.integers(min_value=0, max_value=10**15))
def test_thousands_reads_back_as_the_number(number):
    text = thousands(number)
    assert int(text.replace(".", "")) == number
    assert all(len(group) == 3 for group in text.split(".")[1:])


@pytest.mark.parametrize(
    ("value", "decimals", "indonesian", "english"),
    [
        (5_100, 0, "5.100", "5,100"),
        (1_234_567, 0, "1.234.567", "1,234,567"),
        (12.46, 1, "12,5", "12.5"),
        (12.04, 1, "12", "12"),
        (1_500.25, 1, "1.500,2", "1,500.2"),
        (-3, 0, "-3", "-3"),
    ],
)
def test_a_local_number_follows_the_active_language(value, decimals, indonesian, english):
    with translation.override("id"):
        assert local_number(value, decimals=decimals) == indonesian
    with translation.override("en"):
        assert local_number(value, decimals=decimals) == english


# --- CSV and XLSX -----------------------------------------------------------------------------

ROWS = [
    ["Nama", "Catatan"],
    ['=HYPERLINK("http://x")', "+62 812"],
    ["@SUM(A1)", "-5"],
    ["Keripik, pedas", 12],
]


def test_formula_cells_are_shown_not_run():
    assert [safe_cell(cell) for cell in ROWS[1] + ROWS[2]] == [
        '\'=HYPERLINK("http://x")',
        "'+62 812",
        "'@SUM(A1)",
        "'-5",
    ]
    assert safe_cell(-5) == -5  # numbers stay numbers
    assert safe_cell("Keripik, pedas") == "Keripik, pedas"


def test_csv_download_has_the_excel_mark_and_safe_cells():
    response = csv_response(ROWS, file_name="laporan.csv")
    assert response["Content-Disposition"] == 'attachment; filename="laporan.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Nama", "Catatan"],
        ['\'=HYPERLINK("http://x")', "'+62 812"],
        ["'@SUM(A1)", "'-5"],
        ["Keripik, pedas", "12"],
    ]


def test_streamed_csv_is_the_same_file():
    streamed = b"".join(
        part if isinstance(part, bytes) else part.encode()
        for part in streaming_csv_response(iter(ROWS), file_name="laporan.csv").streaming_content
    )
    assert streamed == csv_response(ROWS, file_name="laporan.csv").content


def test_xlsx_download():
    response = xlsx_response(ROWS, file_name="laporan.xlsx", sheet_title="Baris yang ditolak " * 3)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    [sheet] = workbook.worksheets
    assert len(sheet.title) == 31
    assert [[cell.value for cell in row] for row in sheet.iter_rows()][1:3] == [
        ['\'=HYPERLINK("http://x")', "'+62 812"],
        ["'@SUM(A1)", "'-5"],
    ]


# --- the region filter ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_region_takes_itself_and_what_lies_in_it_never_a_longer_code():
    namosain = "53.71.01.1001"
    in_kupang = Village.objects.filter(region_q("code", "53.71"))
    assert in_kupang.filter(code=namosain).exists()
    assert not in_kupang.exclude(code__startswith="53.71.").exists()
    assert Village.objects.filter(region_q("code", namosain)).get().code == namosain
    # "53.7" is not a region containing "53.71"; "5" contains nothing.
    assert not Village.objects.filter(region_q("code", "53.7")).exists()
    assert not Village.objects.filter(region_q("code", "5")).exists()
    assert Village.objects.filter(region_q("code", "")).count() == Village.objects.count()
    assert Village.objects.filter(region_q("regency__code", "53.71")).count() == in_kupang.count()


@pytest.mark.parametrize(
    ("code", "region", "inside"),
    [
        ("53.71.01.1001", "53", True),
        ("53.71", "53.71", True),
        ("53.71.01.1001", "", True),
        ("530", "53", False),
        ("53.71", "53.7", False),
        ("53", "53.71", False),
        ("32.04", "53", False),
    ],
)
def test_in_region_checks_one_code(code, region, inside):
    assert in_region(code, region) is inside


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["53", "53.71", "53.7", "5", "53.71.01.1001", ""])
def test_in_region_is_the_rule_of_the_filter(region):
    codes = list(Village.objects.filter(code__startswith="53.7").values_list("code", flat=True))
    filtered = Village.objects.filter(code__in=codes).filter(region_q("code", region))
    assert set(filtered.values_list("code", flat=True)) == {
        code for code in codes if in_region(code, region)
    }


# --- refusals ---------------------------------------------------------------------------------


def test_a_refusal_carries_its_code_message_and_field():
    error = Refused(
        "too_long", "The note is %(count)d characters long.", field="note", params={"count": 9}
    )
    assert (error.code, error.reason, error.field) == ("too_long", "too_long", "note")
    assert error.messages == ["The note is 9 characters long."]
    assert refusal_body(error) == {
        "code": "invalid",
        "detail": "The note is 9 characters long.",
        "reason": "too_long",
        "field": "note",
    }


def test_a_refusal_with_several_reasons_keeps_each_code_and_its_own():
    error = Refused("not_eligible", [Refused("scale", "Too large."), Refused("nib", "No NIB.")])
    assert (error.code, error.reason) == ("not_eligible", "not_eligible")
    assert [(item.code, item.message) for item in error.error_list] == [
        ("scale", "Too large."),
        ("nib", "No NIB."),
    ]
    by_field = Refused("applicant_invalid", {"nik": ["Bad NIK."], "email": "Bad e-mail."})
    assert (by_field.code, by_field.message_dict) == (
        "applicant_invalid",
        {"nik": ["Bad NIK."], "email": ["Bad e-mail."]},
    )
    assert refusal_body(error) == {
        "code": "invalid",
        "detail": "Too large. No NIB.",
        "reason": "not_eligible",
    }


# --- idempotency ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_key_gets_the_same_answer_and_runs_once():
    runs = []

    def action():
        runs.append(1)
        return 201, {"order": f"K{len(runs)}"}

    first = run_once(scope="test.order:1", key="kunci-12345", data={"q": 2}, action=action)
    again = run_once(scope="test.order:1", key="kunci-12345", data={"q": 2}, action=action)
    other_scope = run_once(scope="test.order:2", key="kunci-12345", data={"q": 2}, action=action)

    assert (first.status_code, first.body, first.created) == (201, {"order": "K1"}, True)
    assert (again.status_code, again.body, again.created) == (201, {"order": "K1"}, False)
    assert other_scope.body == {"order": "K2"}
    assert len(runs) == 2


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_refused_and_changes_nothing():
    run_once(scope="s", key="kunci-12345", data={"q": 2}, action=lambda: (201, {"n": 1}))
    with pytest.raises(IdempotencyConflict) as refused:
        run_once(scope="s", key="kunci-12345", data={"q": 3}, action=lambda: (201, {"n": 2}))
    assert refused.value.code == "idempotency_key_reused"
    assert list(IdempotencyRecord.objects.values_list("response", flat=True)) == [{"n": 1}]


@pytest.mark.django_db
def test_an_action_that_fails_leaves_the_key_usable():
    def failing():
        User.objects.create_user(email="half@example.id")
        raise Refused("sold_out", "Stok habis.")

    with pytest.raises(Refused):
        run_once(scope="s", key="kunci-12345", data={}, action=failing)
    assert not IdempotencyRecord.objects.exists()
    assert not User.objects.filter(email="half@example.id").exists()
    answer = run_once(scope="s", key="kunci-12345", data={}, action=lambda: (201, {"ok": True}))
    assert answer.created


def test_keys_are_checked_for_length():
    assert clean_key("  abcdefgh  ", min_length=8) == "abcdefgh"
    for key in ("", "short", "x" * 101):
        with pytest.raises(Refused) as refused:
            clean_key(key, min_length=8)
        assert refused.value.code == "idempotency_key_length"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_requests_racing_with_one_key_all_get_the_one_answer_that_was_kept():
    barrier = threading.Barrier(4)
    answers = []

    def action():
        barrier.wait(timeout=10)
        return 201, {"made": threading.get_ident()}

    def request():
        try:
            answers.append(run_once(scope="race", key="kunci-12345", data={}, action=action))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({tuple(answer.body.items()) for answer in answers}) == 1
    assert sum(answer.created for answer in answers) == 1
    assert IdempotencyRecord.objects.count() == 1


# --- measures on the maps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "percent", "text"),
    [
        (12345, False, "12.345"),
        (83762.0, False, "83.762"),
        (2.5, False, "2,5"),
        (1234567.75, False, "1.234.567,8"),
        (-0.04, False, "0"),
        (0.453, True, "45,3 %"),
        (0.2, True, "20 %"),
        (1, True, "100 %"),
    ],
)
def test_numbers_are_written_the_indonesian_way(value, percent, text):
    assert decimal_text(value, percent=percent) == text
