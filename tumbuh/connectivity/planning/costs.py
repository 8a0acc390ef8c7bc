"""What a site costs: the cost assumptions and the feasible backhauls of a site, cheapest first."""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.core.money import local_number
from tumbuh.core.refusals import Refused


@dataclass(frozen=True)
class Costs:
    """What a site costs, part by part, in whole rupiah.

    These are planning assumptions, not prices: docs/connectivity-costs.md gives the public orders
    of magnitude they come from. Every figure can be changed for a run.
    """

    tower_idr: int = 1_500_000_000  # 4G BTS tower with power (solar and batteries), capex
    fibre_per_km_idr: int = 120_000_000  # fibre from the nearest point of presence, per km
    fibre_max_km: float = 25.0  # beyond this, fibre is not an option
    # (up to km, capex) by distance band, shortest first; beyond the last band, no microwave.
    microwave_bands: tuple[tuple[float, int], ...] = (
        (15, 300_000_000),
        (40, 500_000_000),
        (80, 900_000_000),
    )
    satellite_capex_idr: int = 150_000_000  # VSAT terminal, installation
    satellite_yearly_idr: int = 200_000_000  # leased satellite capacity for one site, per year
    horizon_years: int = 5  # yearly costs are counted over this horizon

    def validate(self) -> None:
        """Refuse costs that are not positive, and distance bands that are empty or unsorted."""
        for name in (
            "tower_idr",
            "fibre_per_km_idr",
            "fibre_max_km",
            "satellite_capex_idr",
            "satellite_yearly_idr",
            "horizon_years",
        ):
            value = getattr(self, name)
            if not value > 0:  # also refuses NaN
                raise Refused(
                    ConnectivityError.COST_NOT_POSITIVE,
                    _("%(field)s must be positive; it is %(value)s.")
                    % {"field": name, "value": value},
                    field=name,
                )
        if not self.microwave_bands:
            raise Refused(
                ConnectivityError.BANDS_INVALID,
                _("microwave_bands must list at least one distance band."),
                field="microwave_bands",
            )
        previous_km = 0.0
        for up_to_km, capex_idr in self.microwave_bands:
            if not (up_to_km > 0 and capex_idr > 0):
                raise Refused(
                    ConnectivityError.COST_NOT_POSITIVE,
                    _("%(field)s must be positive; it is %(value)s.")
                    % {"field": "microwave_bands", "value": (up_to_km, capex_idr)},
                    field="microwave_bands",
                )
            if up_to_km <= previous_km:
                raise Refused(
                    ConnectivityError.BANDS_INVALID,
                    _("microwave_bands must be sorted by distance, shortest first."),
                    field="microwave_bands",
                )
            previous_km = up_to_km

    @property
    def satellite_lifetime_idr(self) -> int:
        return self.satellite_capex_idr + self.satellite_yearly_idr * self.horizon_years


@dataclass(frozen=True)
class BackhaulOption:
    """One way to link a site to the network, with the site's lifetime cost if built this way."""

    kind: str  # "fibre" | "microwave" | "satellite"
    cost_idr: int  # tower + backhaul capex + yearly costs × horizon
    detail: str  # e.g. "fibre backhaul over 12.5 km from the nearest point of presence"


def _kind_label(kind: str) -> str:
    labels = {
        "fibre": pgettext("backhaul", "fibre"),
        "microwave": pgettext("backhaul", "microwave"),
        "satellite": pgettext("backhaul", "satellite"),
    }
    return labels.get(kind, kind)


def backhaul_options(distance_to_pop_km: float | None, costs: Costs) -> tuple[BackhaulOption, ...]:
    """The feasible backhauls of a site whose nearest fibre point of presence is that far away.

    Fibre up to ``costs.fibre_max_km``, microwave within the distance bands, satellite always;
    an unknown distance (None) leaves satellite only. Cheapest first.
    """
    costs.validate()
    satellite_idr = costs.tower_idr + costs.satellite_lifetime_idr
    if distance_to_pop_km is None or math.isnan(distance_to_pop_km):
        detail = _("satellite backhaul: the distance to the nearest point of presence is unknown")
        return (BackhaulOption("satellite", satellite_idr, detail),)
    if distance_to_pop_km < 0:
        raise Refused(
            ConnectivityError.NEGATIVE_DISTANCE,
            _("The distance to the nearest point of presence cannot be negative; it is %(km)s km.")
            % {"km": local_number(distance_to_pop_km, decimals=1)},
        )
    km = local_number(distance_to_pop_km, decimals=1)
    options = []
    if distance_to_pop_km <= costs.fibre_max_km:
        options.append(
            BackhaulOption(
                "fibre",
                costs.tower_idr + round(costs.fibre_per_km_idr * distance_to_pop_km),
                _("fibre backhaul over %(km)s km from the nearest point of presence") % {"km": km},
            )
        )
    for up_to_km, capex_idr in costs.microwave_bands:
        if distance_to_pop_km <= up_to_km:
            options.append(
                BackhaulOption(
                    "microwave",
                    costs.tower_idr + capex_idr,
                    _("microwave backhaul over %(km)s km to the nearest point of presence")
                    % {"km": km},
                )
            )
            break
    if options:
        detail = _("satellite backhaul, %(km)s km from the nearest point of presence") % {"km": km}
    else:
        reach_km = max(costs.fibre_max_km, costs.microwave_bands[-1][0])
        detail = _(
            "satellite backhaul: no point of presence within %(km)s km for fibre or microwave"
        ) % {"km": local_number(reach_km, decimals=1)}
    options.append(BackhaulOption("satellite", satellite_idr, detail))
    # sorted() is stable: on equal cost, fibre before microwave before satellite.
    return tuple(sorted(options, key=lambda option: option.cost_idr))
