"""The halal self-declare rules (BPJPH): which businesses and products may take the free
self-declare route, each failed rule explained for the business's owner.

A read: the start page and the case page show the rules not yet met; ``halal`` enforces them
when a case starts (the business rules) and when it leaves the products step (all of them).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import HalalProduct
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import surviving


@dataclass(frozen=True)
class Refusal:
    """A self-declare rule a business or product does not meet, explained for its owner: what
    the pages list, and what :func:`raise_refusals` turns into a ``Refused``."""

    rule: LicensingError
    message: str


@dataclass(frozen=True)
class IngredientDraft:
    """An ingredient as entered, before it is saved (``HalalIngredient``)."""

    name: str
    certificate_number: str = ""
    exemption: str = ""
    is_from_slaughtered_animal: bool = False


@dataclass(frozen=True)
class ProductDraft:
    """A product as entered, with its ingredients, before it is saved (``HalalProduct``)."""

    name: str
    is_risky: bool = False
    ingredients: tuple[IngredientDraft, ...] = ()


def check_halal_eligibility(
    *,
    enterprise: Enterprise,
    products: Iterable[ProductDraft | HalalProduct] | None = None,
    is_simple_process: bool | None = None,
) -> list[Refusal]:
    """The self-declare rules (BPJPH) that are not met, each explained; empty when eligible.

    Business rules: micro or small scale, and a NIB. When ``products`` are given: none risky,
    the process simple, every ingredient halal-assured (a halal certificate number or an
    exemption), and no ingredient from a slaughtered animal without a certificate.
    """
    enterprise = surviving(enterprise)
    refusals: list[Refusal] = []
    if enterprise.scale not in (Enterprise.Scale.MIKRO, Enterprise.Scale.KECIL):
        refusals.append(
            Refusal(
                LicensingError.SCALE,
                _(
                    "Self-declare is only for micro and small businesses; this business is "
                    "recorded as “%(scale)s”. Medium businesses apply through the regular route "
                    "with a halal inspection body (LPH)."
                )
                % {"scale": enterprise.get_scale_display() or _("scale not recorded")},
            )
        )
    if not enterprise.nib:
        refusals.append(
            Refusal(
                LicensingError.NIB,
                _("The business needs a NIB first: SiHalal asks for it. Start NIB assistance."),
            )
        )
    if products is None:
        return refusals
    products = list(products)
    if not products:
        refusals.append(Refusal(LicensingError.PRODUCTS, _("Add at least one product.")))
    if is_simple_process is False:
        refusals.append(
            Refusal(
                LicensingError.PROCESS,
                _(
                    "Self-declare needs a simple production process (by hand or with simple "
                    "tools, no irradiation, genetic engineering or ozonisation)."
                ),
            )
        )
    elif is_simple_process is None:
        refusals.append(
            Refusal(
                LicensingError.PROCESS,
                _("Describe the production process and state whether it is simple."),
            )
        )
    for product in products:
        ingredients = (
            list(product.ingredients.all())
            if isinstance(product, HalalProduct)
            else list(product.ingredients)
        )
        if product.is_risky:
            refusals.append(
                Refusal(
                    LicensingError.RISKY_PRODUCT,
                    _(
                        "“%(product)s” is a risky product (for example it contains alcohol or "
                        "hazardous materials); risky products need the regular route."
                    )
                    % {"product": product.name},
                )
            )
        if not ingredients:
            refusals.append(
                Refusal(
                    LicensingError.INGREDIENTS,
                    _("List the ingredients of “%(product)s”.") % {"product": product.name},
                )
            )
        for ingredient in ingredients:
            certified = bool(ingredient.certificate_number.strip())
            if ingredient.is_from_slaughtered_animal and not certified:
                refusals.append(
                    Refusal(
                        LicensingError.SLAUGHTERED_UNCERTIFIED,
                        _(
                            "“%(ingredient)s” in “%(product)s” comes from a slaughtered animal "
                            "without a halal certificate; use meat from a certified slaughterhouse "
                            "(RPH) and enter its certificate number."
                        )
                        % {"ingredient": ingredient.name, "product": product.name},
                    )
                )
            elif not certified and not ingredient.exemption:
                refusals.append(
                    Refusal(
                        LicensingError.INGREDIENT_NOT_ASSURED,
                        _(
                            "“%(ingredient)s” in “%(product)s” has no halal certificate number "
                            "and is not an exempt material; enter the certificate number printed "
                            "on its package."
                        )
                        % {"ingredient": ingredient.name, "product": product.name},
                    )
                )
    return refusals


def raise_refusals(refusals: list[Refusal]) -> None:
    """Refuse (``not_eligible``) with every failed rule, each a ``Refused`` with its rule as
    its code."""
    if refusals:
        raise Refused(
            LicensingError.NOT_ELIGIBLE,
            [Refused(refusal.rule, refusal.message) for refusal in refusals],
        )
