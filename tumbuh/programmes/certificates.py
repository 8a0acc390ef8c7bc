"""The certificate as a small PDF: Indonesian first, with a QR code to its verification page.

One A4 landscape page drawn with fpdf2's built-in Helvetica (no embedded font, so the file stays
a few kilobytes) and a QR code from segno pointing to ``/sertifikat/<code>/``. It shows what the
public page shows: the programme, the business name, the date and the code; nothing personal.

fpdf2 and segno are imported where a certificate is drawn: the programmes' pages import this
module, and fpdf2 alone costs ~0.75 s at start-up.
"""

import io

from django.utils import translation

from tumbuh.core.times import local_time
from tumbuh.programmes.models import Certificate

# Helvetica in PDF core fonts covers Latin-1; other characters are replaced, never dropped
# silently (a business name in another script still shows where it was).
NEXT_LINE = {"new_x": "LMARGIN", "new_y": "NEXT"}
_REPLACEMENTS = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"}


def _latin1(text: str) -> str:
    text = "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The PDF of ``certificate``; ``verify_url`` is the absolute URL of its public page."""
    from fpdf import FPDF

    programme = certificate.enrolment.cohort.programme
    # The day of issue where the cohort met (its village's zone), not in the server's zone.
    place = certificate.enrolment.cohort.venue_village_id
    with translation.override("id"):
        issued_id = local_time(certificate.issued_at, place, "long_date")
    with translation.override("en"):
        issued_en = local_time(certificate.issued_at, place, "long_date")

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_latin1(f"Sertifikat {certificate.code}"))
    pdf.set_creator("Tumbuh")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(20, 110, 70)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)

    pdf.set_y(28)
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(0, 14, "SERTIFIKAT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 13)
    pdf.cell(0, 7, "Certificate", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(10)
    pdf.set_font("Helvetica", "", 13)
    pdf.cell(0, 7, "Diberikan kepada / Awarded to", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 11, _latin1(certificate.business_name), align="C", **NEXT_LINE)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(
        0,
        7,
        "telah menyelesaikan program / has completed the programme",
        align="C",
        **NEXT_LINE,
    )
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin1(programme.name), align="C", **NEXT_LINE)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(
        0,
        7,
        _latin1(f"Diselenggarakan oleh / Run by {programme.organisation.name}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        0,
        7,
        _latin1(f"Tanggal / Date: {issued_id} / {issued_en}"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.image(io.BytesIO(qr_png(verify_url)), x=24, y=150, w=38, h=38)
    pdf.set_xy(66, 160)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        150,
        5,
        _latin1(
            "Periksa keaslian sertifikat ini dengan memindai kode QR atau membuka / "
            f"Verify this certificate by scanning the QR code or opening:\n{verify_url}"
        ),
    )
    pdf.set_xy(66, 178)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, f"Kode / Code: {certificate.code}")
    return bytes(pdf.output())
