"""The dashboard's sections beyond onboarding (programmes, licensing, stores, connectivity…).

:func:`panels` returns what the dashboard of one region shows for each section; the template
``dashboards/_sections.html`` draws them.
"""


def panels(region_code: str) -> list:
    """The sections' panels for ``region_code`` ("" national)."""
    return []
