"""The documents of a B2B order as small PDFs: the quotation (penawaran), the purchase order (PO),
each delivery note (surat jalan, ``SJ-<code>-<n>``), its handover record once signed (berita
acara serah terima, ``BAST-<code>-<n>``) and each invoice (faktur, ``INV-<code>-<n>``).

A document is first a list of blocks (headings, label-value pairs, a table, a stamp, the
handover's photo) built from the order (:func:`build`), then drawn on an A4 page with fpdf2's
built-in Helvetica (:func:`render`): no font is embedded, so a document is a few kilobytes, and
the photo of a handover is put in as a thumbnail. The core fonts cover Latin-1 only, so every text
passes :func:`pdf_text` (quotes and dashes replaced, accents taken off, anything else shown as
"?": a character is never dropped silently).

Headings and labels are Indonesian first, then English ("Surat jalan / Delivery note"); times are
written in the zone of the place they happened (the supplier's for a quotation or a delivery note
sent, the buyer's for a purchase order, a handover or an invoice); money through
``core.money.rupiah``. Nothing personal is printed beyond the receiver's name the buyer gave.

fpdf2 and Pillow are imported where a document is drawn: the order views import this module, and
the URL configuration must stay light (``core/tests/test_startup.py``).
"""

import io
import unicodedata
from dataclasses import dataclass, field

from django.utils import dateformat, translation
from django.utils.translation import gettext_lazy as _

from tumbuh.core import times
from tumbuh.core.money import rupiah, thousands
from tumbuh.supply.models import DeliveryNote, Invoice, SupplyOrder

__all__ = ["Document", "DocumentNotFound", "available", "build", "document_pdf", "render"]

QUOTATION, PURCHASE_ORDER = "penawaran", "po"
THUMBNAIL_PX = 320
_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u2192": "->",
    "\u2265": ">=",
    "\u2264": "<=",
    "\u20ac": "EUR",
}


class DocumentNotFound(LookupError):
    """The order has no such document (yet): a quotation before the quote, a handover record
    before the receiver signed, a number of another order."""


def pdf_text(text) -> str:
    """``text`` in Latin-1, the core fonts' range: typographic quotes and dashes made plain,
    accents taken off letters outside Latin-1, anything else "?"."""
    out = []
    for character in str(text):
        character = _REPLACEMENTS.get(character, character)
        try:
            character.encode("latin-1")
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", character).encode("latin-1", "ignore").decode()
            character = "".join(c for c in plain if not unicodedata.combining(c)) or "?"
        out.append(character)
    return "".join(out)


def both(message) -> str:
    """A heading or label in Indonesian, then English: "Surat jalan / Delivery note" (once when
    the two read the same)."""
    with translation.override("id"):
        indonesian = str(message)
    with translation.override("en"):
        english = str(message)
    return indonesian if indonesian == english else f"{indonesian} / {english}"


def _in_indonesian(function, *args):
    with translation.override("id"):
        return function(*args)


@dataclass
class Document:
    """One document: its name in the order's URLs, file name, heading, and the blocks drawn in
    order: ``("fields", [(label, value)])``, ``("table", headers, rows, widths_mm, aligns)``,
    ``("heading", text)``, ``("text", text)``, ``("stamp", text, paid)``, ``("image", jpeg)``,
    ``("signatures", [label, ...])``."""

    name: str
    filename: str
    title: str
    number: str
    blocks: list = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every text the document shows, in order (what a reader of the PDF finds)."""
        found = [self.title, self.number]
        for block in self.blocks:
            kind = block[0]
            if kind == "fields":
                for label, value in block[1]:
                    found += [label, value]
            elif kind == "table":
                found += list(block[1])
                for row in block[2]:
                    found += list(row)
            elif kind in ("heading", "text", "stamp"):
                found.append(block[1])
            elif kind == "signatures":
                found += list(block[1])
        return [str(text) for text in found]


# --- what an order has -------------------------------------------------------------------------


def available(order: SupplyOrder, deliveries, invoices) -> list[tuple[str, str]]:
    """The documents of ``order`` that exist now, as ``(name, label)`` for the order's page:
    quotation, purchase order, then each delivery note and its handover, then each invoice."""
    found = []
    if order.quoted_at:
        found.append((QUOTATION, str(_("Quotation"))))
    if order.ordered_at:
        found.append((PURCHASE_ORDER, str(_("Purchase order"))))
    for delivery in deliveries:
        found.append((delivery.number, str(_("Delivery note"))))
        if delivery.received_at:
            found.append((delivery.handover_number, str(_("Handover record"))))
    for invoice in invoices:
        found.append((invoice.number, str(_("Invoice"))))
    return found


def document_pdf(order: SupplyOrder, name: str, *, compress: bool = True) -> tuple[str, bytes]:
    """``(filename, PDF bytes)`` of the document ``name`` of ``order``; raises
    :class:`DocumentNotFound` when it has none by that name. ``compress=False`` leaves the page's
    text readable in the bytes (tests)."""
    document = build(order, name)
    return document.filename, render(document, compress=compress)


def build(order: SupplyOrder, name: str) -> Document:
    """The blocks of the document ``name`` of ``order`` (see :func:`available`)."""
    order = (
        SupplyOrder.objects.select_related("supplier__village__regency", "buyer__village__regency")
        .prefetch_related("lines")
        .get(pk=order.pk)
    )
    if name == QUOTATION and order.quoted_at:
        return _quotation(order)
    if name == PURCHASE_ORDER and order.ordered_at:
        return _purchase_order(order)
    deliveries = DeliveryNote.objects.filter(order=order).prefetch_related("lines__order_line")
    if name.startswith("SJ-"):
        delivery = deliveries.filter(number=name).first()
        if delivery is not None:
            return _delivery_note(order, delivery)
    if name.startswith("BAST-"):
        delivery = deliveries.filter(handover_number=name, received_at__isnull=False).first()
        if delivery is not None:
            return _handover(order, delivery)
    if name.startswith("INV-"):
        invoice = (
            Invoice.objects.filter(order=order, number=name)
            .prefetch_related("lines__order_line")
            .first()
        )
        if invoice is not None:
            return _invoice(order, invoice)
    raise DocumentNotFound(name)


def _when(moment, place, style="datetime") -> str:
    return _in_indonesian(times.local_time, moment, place, style) if moment else "-"


def _day(day) -> str:
    """A calendar day as Indonesians write it: "14 Des 2026"."""
    return _in_indonesian(dateformat.format, day, "j M Y")


def _place(enterprise) -> str:
    village = enterprise.village
    return f"{village.name}, {village.regency.name}"


def _parties(order: SupplyOrder) -> tuple:
    return (
        "fields",
        [
            (both(_("Supplier")), f"{order.supplier.name} ({_place(order.supplier)})"),
            (both(_("Buyer")), f"{order.buyer.name} ({_place(order.buyer)})"),
        ],
    )


def _quantity(number, unit) -> str:
    return f"{thousands(number)} {unit}"


def _priced_lines(order: SupplyOrder) -> tuple:
    rows = [
        (
            line.commodity,
            _quantity(line.quantity, line.unit),
            rupiah(line.unit_price_idr),
            rupiah(line.line_total_idr),
        )
        for line in order.lines.all()
    ]
    if order.delivery_fee_idr:
        rows.append((both(_("Delivery fee")), "", "", rupiah(order.delivery_fee_idr)))
    rows.append((both(_("Total")), "", "", rupiah(order.total_idr)))
    return (
        "table",
        (both(_("Commodity")), both(_("Quantity")), both(_("Unit price")), both(_("Amount"))),
        rows,
        (70, 35, 35, 40),
        ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )


def _terms(order: SupplyOrder) -> str:
    return both(SupplyOrder.Terms(order.terms).label)


def _quotation(order: SupplyOrder) -> Document:
    fields = [
        (both(_("Date")), _when(order.quoted_at, order.supplier)),
        (both(_("Payment terms")), _terms(order)),
    ]
    return Document(
        name=QUOTATION,
        filename=f"penawaran-{order.code}.pdf",
        title=both(_("Quotation")),
        number=order.code,
        blocks=[_parties(order), ("fields", fields), _priced_lines(order)],
    )


def _purchase_order(order: SupplyOrder) -> Document:
    fields = [
        (both(_("Date")), _when(order.ordered_at, order.buyer)),
        (both(_("Payment terms")), _terms(order)),
    ]
    if order.delivery_address:
        fields.append((both(_("Deliver to")), order.delivery_address))
    if order.wanted_by:
        fields.append((both(_("Wanted by")), _day(order.wanted_by)))
    if order.note:
        fields.append((both(_("Note")), order.note))
    return Document(
        name=PURCHASE_ORDER,
        filename=f"po-{order.code}.pdf",
        title=both(_("Purchase order")),
        number=f"PO-{order.code}",
        blocks=[_parties(order), ("fields", fields), _priced_lines(order)],
    )


def _delivered_lines(delivery: DeliveryNote) -> tuple:
    rows = [
        (
            line.order_line.commodity,
            _quantity(line.quantity, line.order_line.unit),
            _quantity(line.order_line.quantity, line.order_line.unit),
        )
        for line in delivery.lines.all()
    ]
    return (
        "table",
        (both(_("Commodity")), both(_("On this delivery")), both(_("Ordered"))),
        rows,
        (90, 45, 45),
        ("LEFT", "RIGHT", "RIGHT"),
    )


def _delivery_note(order: SupplyOrder, delivery: DeliveryNote) -> Document:
    fields = [
        (both(_("Order")), order.code),
        (both(_("Sent")), _when(delivery.sent_at, order.supplier)),
    ]
    if delivery.carrier:
        fields.append((both(_("Carrier or vehicle")), delivery.carrier))
    if order.delivery_address:
        fields.append((both(_("Deliver to")), order.delivery_address))
    if delivery.note:
        fields.append((both(_("Note")), delivery.note))
    return Document(
        name=delivery.number,
        filename=f"{delivery.number}.pdf",
        title=both(_("Delivery note")),
        number=delivery.number,
        blocks=[
            _parties(order),
            ("fields", fields),
            _delivered_lines(delivery),
            ("signatures", [both(_("Sent by")), both(_("Received by"))]),
        ],
    )


def _thumbnail(delivery: DeliveryNote) -> bytes | None:
    """A small JPEG of the handover's photo (already cleaned of its metadata when stored)."""
    if not delivery.received_photo:
        return None
    from PIL import Image

    with delivery.received_photo.open("rb") as stored, Image.open(stored) as image:
        image = image.convert("RGB")
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=70, optimize=True)
    return buffer.getvalue()


def _handover(order: SupplyOrder, delivery: DeliveryNote) -> Document:
    fields = [
        (both(_("Order")), order.code),
        (both(_("Delivery note")), delivery.number),
        (both(_("Received")), _when(delivery.received_at, order.buyer)),
        (both(_("Received by")), delivery.received_by_name),
    ]
    if delivery.received_note:
        fields.append((both(_("Note")), delivery.received_note))
    blocks = [
        _parties(order),
        ("fields", fields),
        _delivered_lines(delivery),
        (
            "text",
            both(_("The goods above were handed over to the buyer and received in good order.")),
        ),
    ]
    photo = _thumbnail(delivery)
    if photo:
        blocks.append(("heading", both(_("Photo at handover"))))
        blocks.append(("image", photo))
    return Document(
        name=delivery.handover_number,
        filename=f"{delivery.handover_number}.pdf",
        title=both(_("Handover record")),
        number=delivery.handover_number,
        blocks=blocks,
    )


def _invoice(order: SupplyOrder, invoice: Invoice) -> Document:
    fields = [
        (both(_("Order")), order.code),
        (both(_("Issued")), _when(invoice.issued_at, order.buyer)),
        (both(_("Payment terms")), _terms(order)),
        (both(_("Due date")), _day(invoice.due_on)),
    ]
    rows = []
    charged = 0
    for line in invoice.lines.all():
        rows.append(
            (
                line.order_line.commodity,
                _quantity(line.quantity, line.order_line.unit),
                rupiah(line.order_line.unit_price_idr),
                rupiah(line.amount_idr),
            )
        )
        charged += line.amount_idr
    if invoice.amount_idr > charged:
        rows.append((both(_("Delivery fee")), "", "", rupiah(invoice.amount_idr - charged)))
    rows.append((both(_("Amount due")), "", "", rupiah(invoice.amount_idr)))
    if invoice.status == Invoice.Status.PAID:
        stamp = (
            "stamp",
            f"{both(_('PAID'))} {_when(invoice.paid_at, order.buyer)} - "
            f"{both(Invoice.Method(invoice.method).label)}"
            + (f" - {invoice.reference}" if invoice.reference else ""),
            True,
        )
    else:
        stamp = ("stamp", both(_("Awaiting payment")), False)
    return Document(
        name=invoice.number,
        filename=f"{invoice.number}.pdf",
        title=both(_("Invoice")),
        number=invoice.number,
        blocks=[
            _parties(order),
            ("fields", fields),
            (
                "table",
                (
                    both(_("Commodity")),
                    both(_("Quantity")),
                    both(_("Unit price")),
                    both(_("Amount")),
                ),
                rows,
                (70, 35, 35, 40),
                ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
            ),
            stamp,
        ],
    )


# --- drawing -----------------------------------------------------------------------------------

_NEXT_LINE = {"new_x": "LMARGIN", "new_y": "NEXT"}


def render(document: Document, *, compress: bool = True) -> bytes:
    """The PDF of ``document``: one A4 page (more when a table runs long), Helvetica."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(f"{document.title} {document.number}"))
    pdf.set_creator("Tumbuh")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(0, 5, "Tumbuh", align="R", **_NEXT_LINE)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, pdf_text(document.title), **_NEXT_LINE)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, pdf_text(f"No. {document.number}"), **_NEXT_LINE)
    pdf.ln(3)

    for block in document.blocks:
        kind = block[0]
        if kind == "fields":
            _draw_fields(pdf, block[1])
        elif kind == "table":
            _draw_table(pdf, *block[1:])
        elif kind == "heading":
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, pdf_text(block[1]), **_NEXT_LINE)
        elif kind == "text":
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, pdf_text(block[1]), **_NEXT_LINE)
            pdf.ln(2)
        elif kind == "stamp":
            _draw_stamp(pdf, block[1], paid=block[2])
        elif kind == "image":
            pdf.image(io.BytesIO(block[1]), x=pdf.l_margin, w=60)
            pdf.ln(2)
        elif kind == "signatures":
            _draw_signatures(pdf, block[1])
    return bytes(pdf.output())


def _draw_fields(pdf, fields) -> None:
    for label, value in fields:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(50, 6, pdf_text(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6, pdf_text(value), **_NEXT_LINE)
    pdf.ln(3)


def _draw_table(pdf, headers, rows, widths, aligns) -> None:
    pdf.set_font("Helvetica", "", 10)
    with pdf.table(col_widths=widths, text_align=aligns, line_height=6) as table:
        heading = table.row()
        for text in headers:
            heading.cell(pdf_text(text))
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(pdf_text(text))
    pdf.ln(4)


def _draw_stamp(pdf, text: str, *, paid: bool) -> None:
    colour = (20, 110, 70) if paid else (160, 90, 0)
    pdf.set_draw_color(*colour)
    pdf.set_text_color(*colour)
    pdf.set_line_width(0.8)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 9, pdf_text(text), border=1, align="C", **_NEXT_LINE)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.ln(3)


def _draw_signatures(pdf, labels) -> None:
    pdf.ln(6)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(labels)
    pdf.set_font("Helvetica", "", 10)
    for label in labels:
        pdf.cell(width, 6, pdf_text(label), align="C")
    pdf.ln(26)
    for _label in labels:
        pdf.cell(width, 6, "(______________________)", align="C")
    pdf.ln(6)
