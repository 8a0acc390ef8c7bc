"""The sections' monthly series as a panel shows them, read from the stored months.

:func:`read_series` takes a region's :class:`~tumbuh.dashboards.models.SectionSeries` rows (one
query, for every section or one) and makes a :class:`Series` per section that has one
(``MEASURES``: the flagship programme, licensing, stores and BBI, connectivity; capability
levels and the partners' scorecard are stocks, without a series). A series fills every month
from the first with a record in the region to the last, so the cumulative lines and the table of
the months have no gaps; its lines are drawn as small SVG charts on the server (one per unit, so
rupiah and counts never share an axis), the way ``views.line_chart`` draws the onboarding
series.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.core.money import rupiah, thousands
from tumbuh.dashboards.models import SectionFigure, SectionSeries
from tumbuh.dashboards.sections.compute import CONNECTIVITY, LICENSING, PROGRAMME, STORES, UNITS

# The measures with a monthly series, per section, in the order of their lines.
MEASURES = {
    PROGRAMME: (
        ("enrolled", gettext_lazy("Enrolments")),
        ("completed", gettext_lazy("Completions")),
    ),
    LICENSING: (
        ("nib_issued", gettext_lazy("NIB issued")),
        ("halal_issued", gettext_lazy("Halal certificates issued")),
    ),
    STORES: (
        ("orders_paid", gettext_lazy("Orders paid")),
        ("paid_value", gettext_lazy("Paid value")),
    ),
    CONNECTIVITY: (("sites_on_air", gettext_lazy("BTS sites gone on air")),),
}

CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 220, 40  # as the onboarding chart
LINE_COLOURS = ("#0072b2", "#e69f00", "#009e73")  # Okabe–Ito, colour-blind safe


@dataclass(frozen=True)
class Line:
    """One measure's values, new in each month of its series."""

    measure: str
    label: str
    unit: str
    values: tuple[int, ...]

    @property
    def cumulative(self) -> list[int]:
        total, running = 0, []
        for value in self.values:
            total += value
            running.append(total)
        return running

    def text(self, value: int) -> str:
        return rupiah(value) if self.unit == SectionFigure.Unit.IDR else thousands(value)


@dataclass(frozen=True)
class Series:
    """A section's monthly series in one region: ``months`` (first days) and the ``lines``.

    Empty (no months) while nothing has happened in the region.
    """

    months: tuple[datetime.date, ...]
    lines: tuple[Line, ...]

    def points(self) -> list[dict]:
        """Every month of every line, line by line (the API's ``series``)."""
        return [
            {
                "month": month,
                "measure": line.measure,
                "value": value,
                "cumulative": cumulative,
                "unit": line.unit,
            }
            for line in self.lines
            for month, value, cumulative in zip(
                self.months, line.values, line.cumulative, strict=True
            )
        ]

    def columns(self) -> list[str]:
        columns = [_("Month")]
        for line in self.lines:
            columns += [line.label, _("%(measure)s (cumulative)") % {"measure": line.label}]
        return columns

    def table(self) -> list[list]:
        """The months as a header row and value rows, for a CSV or XLSX download (the month as
        ``YYYY-MM``). The console's download path serves only ``Panel.table`` for now: a
        ``<section>-bulanan`` table there would serve this."""
        running = [line.cumulative for line in self.lines]
        rows = [self.columns()]
        for index, month in enumerate(self.months):
            row: list = [f"{month:%Y-%m}"]
            for number, line in enumerate(self.lines):
                row += [line.values[index], running[number][index]]
            rows.append(row)
        return rows

    def body_html(self) -> SafeString:
        """The months as ``<tr>`` rows: each line's value in the month and its running total."""
        running = [line.cumulative for line in self.lines]
        rows = []
        for index, month in enumerate(self.months):
            cells = "".join(
                f'<td class="num">{escape(line.text(line.values[index]))}</td>'
                f'<td class="num">{escape(line.text(running[number][index]))}</td>'
                for number, line in enumerate(self.lines)
            )
            label = escape(formats.date_format(month, "YEAR_MONTH_FORMAT"))
            rows.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
        return mark_safe("\n".join(rows))  # noqa: S308 - every text escaped above

    def charts(self) -> list[SafeString]:
        """The cumulative lines as SVG charts, one per unit (counts, then rupiah)."""
        units = sorted({line.unit for line in self.lines}, key=lambda unit: unit != "count")
        return [
            _chart(self.months, [line for line in self.lines if line.unit == unit])
            for unit in units
        ]


def _chart(months: tuple[datetime.date, ...], lines: list[Line]) -> SafeString:
    title = escape(
        _("Cumulative per month: %(measures)s")
        % {"measures": ", ".join(line.label for line in lines)}
    )
    length = len(months)
    top = max(line.cumulative[-1] for line in lines) or 1
    inner_w = CHART_WIDTH - 2 * CHART_MARGIN
    inner_h = CHART_HEIGHT - 2 * CHART_MARGIN

    def x(index: int) -> float:
        return CHART_MARGIN + (inner_w * index / (length - 1) if length > 1 else inner_w / 2)

    def y(value: int) -> float:
        return CHART_HEIGHT - CHART_MARGIN - inner_h * value / top

    def month(day: datetime.date) -> str:
        return escape(formats.date_format(day, "YEAR_MONTH_FORMAT"))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        f'width="100%" role="img" aria-label="{title}"><title>{title}</title>',
        f'<line x1="{CHART_MARGIN}" y1="{CHART_HEIGHT - CHART_MARGIN}" '
        f'x2="{CHART_WIDTH - CHART_MARGIN}" y2="{CHART_HEIGHT - CHART_MARGIN}" stroke="#8c8c8c"/>',
        f'<text x="{CHART_MARGIN}" y="{CHART_MARGIN - 10}" font-size="14">'
        f"{escape(lines[0].text(top))}</text>",
        f'<text x="{CHART_MARGIN}" y="{CHART_HEIGHT - 12}" font-size="14">{month(months[0])}</text>'
        f'<text x="{CHART_WIDTH - CHART_MARGIN}" y="{CHART_HEIGHT - 12}" font-size="14" '
        f'text-anchor="end">{month(months[-1])}</text>',
    ]
    for number, line in enumerate(lines):
        colour = LINE_COLOURS[number % len(LINE_COLOURS)]
        cumulative = line.cumulative
        label = escape(line.label)
        tip = f"<title>{label}: {escape(line.text(cumulative[-1]))}</title>"
        if length == 1:  # a single month is a point, not a line
            parts.append(
                f'<circle cx="{x(0):.1f}" cy="{y(cumulative[0]):.1f}" r="4" fill="{colour}">'
                f"{tip}</circle>"
            )
        else:
            coordinates = " ".join(
                f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(cumulative)
            )
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
                f'points="{coordinates}">{tip}</polyline>'
            )
        legend_x = CHART_MARGIN + 10 + number * 240
        parts.append(
            f'<rect x="{legend_x}" y="{CHART_MARGIN}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="{CHART_MARGIN + 6}" font-size="14">{label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def read_series(region_code: str, section: str | None = None) -> dict[str, Series]:
    """The monthly series of ``region_code`` for every section that has one (or only
    ``section``), in one query."""
    wanted = [section] if section is not None else list(MEASURES)
    wanted = [key for key in wanted if key in MEASURES]
    if not wanted:
        return {}
    where = Q(region_code=region_code)
    if section is not None:
        where &= Q(section=section)
    stored: dict[str, dict[str, dict[datetime.date, int]]] = defaultdict(lambda: defaultdict(dict))
    for key, measure, month, value in SectionSeries.objects.filter(where).values_list(
        "section", "measure", "month", "value"
    ):
        stored[key][measure][month] = value
    result = {}
    for key in wanted:
        by_measure = stored.get(key, {})
        days = sorted({month for values in by_measure.values() for month in values})
        months = tuple(_months(days[0], days[-1])) if days else ()
        result[key] = Series(
            months,
            tuple(
                Line(
                    measure,
                    str(label),
                    str(UNITS.get(measure, SectionFigure.Unit.COUNT)),
                    tuple(by_measure.get(measure, {}).get(month, 0) for month in months),
                )
                for measure, label in MEASURES[key]
            )
            if months
            else (),
        )
    return result
