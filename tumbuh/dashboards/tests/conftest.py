"""The dashboards' tests see every fold at once: a page drawn is not shown again once the
rollups have moved on (``test_console`` checks the setting's own behaviour)."""

import pytest


@pytest.fixture(autouse=True)
def draw_after_every_fold(settings):
    settings.TUMBUH_DASHBOARD_REDRAW_SECONDS = 0
