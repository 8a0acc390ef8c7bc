"""The dashboard's sections beyond onboarding: the flagship programme, capability, licensing,
stores and the BBI catalogue, connectivity, the partners' scorecard, and supply chains.

Two halves: :mod:`~tumbuh.dashboards.sections.compute` recomputes every section's figures from
the other apps' tables into :class:`~tumbuh.dashboards.models.SectionFigure` (the worker runs
it, ``refresh_sections``; its docstring defines every measure) and the monthly series of their
events into :class:`~tumbuh.dashboards.models.SectionSeries`, and
:mod:`~tumbuh.dashboards.sections.panels` reads those rows into the panels of a dashboard and
the API's answers (``panels``, ``section``), never counting facts, with
:mod:`~tumbuh.dashboards.sections.series` for the series (filled months, charts, tables). The
names other modules use are re-exported here.
"""

from tumbuh.dashboards.sections.compute import (
    CAPABILITY,
    CLOCK_PREFIX,
    CONNECTIVITY,
    ENQUEUED_KEY,
    LICENSING,
    PARTNERS,
    PROGRAMME,
    SECTION_DELAY,
    SECTIONS,
    STORES,
    SUPPLY,
    flagship_programme,
    refresh_sections,
)
from tumbuh.dashboards.sections.panels import Cell, Figure, Panel, Row, panels, section
from tumbuh.dashboards.sections.series import Line, Series

__all__ = [
    "CAPABILITY",
    "CLOCK_PREFIX",
    "CONNECTIVITY",
    "ENQUEUED_KEY",
    "LICENSING",
    "PARTNERS",
    "PROGRAMME",
    "SECTIONS",
    "SECTION_DELAY",
    "STORES",
    "SUPPLY",
    "Cell",
    "Figure",
    "Line",
    "Panel",
    "Row",
    "Series",
    "flagship_programme",
    "panels",
    "refresh_sections",
    "section",
]
