"""Every code the supply app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the supply API answers them as ``reason`` and tests assert them. Add a
code here before raising it; never rename one.
"""

from enum import StrEnum


class SupplyError(StrEnum):
    # Who may act
    NOT_YOUR_BUSINESS = "not_your_business"
    SAME_BUSINESS = "same_business"
    BUSINESS_MERGED = "business_merged"

    # Text and numbers entered
    FIELD_REQUIRED = "field_required"
    FIELD_TOO_LONG = "field_too_long"
    KBLI_INVALID = "kbli_invalid"
    QUANTITY_INVALID = "quantity_invalid"
    PRICE_INVALID = "price_invalid"
    UNIT_INVALID = "unit_invalid"
    TIERS_INVALID = "tiers_invalid"
    DATE_INVALID = "date_invalid"
    TERMS_UNKNOWN = "terms_unknown"
    BASIS_UNKNOWN = "basis_unknown"
    PERIOD_UNKNOWN = "period_unknown"

    # Offers, requests and links
    OFFER_CLOSED = "offer_closed"
    REQUEST_CLOSED = "request_closed"
    BELOW_MINIMUM = "below_minimum"
    NOT_ENOUGH_STOCK = "not_enough_stock"
    LINK_NOT_YOURS_TO_CONFIRM = "link_not_yours_to_confirm"
    NOT_A_COLLECTOR = "not_a_collector"
    NOT_IN_VILLAGE = "not_in_village"

    # B2B orders and their documents
    ORDER_TRANSITION = "order_transition"
    MIXED_SUPPLIERS = "mixed_suppliers"
    NO_LINES = "no_lines"
    OVER_DELIVERY = "over_delivery"
    NOTHING_TO_DELIVER = "nothing_to_deliver"
    ALREADY_SIGNED = "already_signed"
    RECEIVER_REQUIRED = "receiver_required"
    NOTHING_TO_INVOICE = "nothing_to_invoice"
    INVOICE_PAID = "invoice_paid"
    PAYMENT_METHOD_UNKNOWN = "payment_method_unknown"
    PHOTO_INVALID = "photo_invalid"
