"""Every code the stores app refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the stores API answers them as ``reason`` (the seller's phone pages and
partner clients read them), and tests assert them. Add a code here before raising it; never
rename one. The ``qris.*`` codes are the QRIS codec's own codes (``stores.qris.QrisError.code``)
behind the prefix ``qris.``; the photo codes are those ``stores.images`` always used.
"""

from enum import StrEnum


class StoresError(StrEnum):
    # Text, numbers and choices entered by the seller
    FIELD_REQUIRED = "field_required"
    FIELD_TOO_LONG = "field_too_long"
    FIELD_NOT_EDITABLE = "field_not_editable"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    CATEGORY_UNKNOWN = "category_unknown"
    WEIGHT_INVALID = "weight_invalid"
    PRICE_INVALID = "price_invalid"
    STOCK_INVALID = "stock_invalid"
    QUANTITY_INVALID = "quantity_invalid"

    # Opening a store: place, delivery, payment, going live
    VILLAGE_UNKNOWN = "village_unknown"
    FEE_INVALID = "fee_invalid"
    NO_DELIVERY_METHOD = "no_delivery_method"
    ZONE_REQUIRED = "zone_required"
    TOO_MANY_ZONES = "too_many_zones"
    ZONE_DUPLICATE = "zone_duplicate"
    WHATSAPP_INVALID = "whatsapp_invalid"
    NO_PAYMENT_METHOD = "no_payment_method"
    BANK_ACCOUNT_INVALID = "bank_account_invalid"
    QRIS_REQUIRED = "qris_required"
    ALREADY_LIVE = "already_live"
    NOT_READY = "not_ready"
    NOT_LIVE = "not_live"
    CHANGED_MEANWHILE = "changed_meanwhile"

    # Products: wholesale tiers, consignment producers, edits
    TIER_INVALID = "tier_invalid"
    CONSIGNMENT_NOT_BUMDES = "consignment_not_bumdes"
    PRODUCER_OUTSIDE_REGENCY = "producer_outside_regency"
    PRODUCER_REQUIRED = "producer_required"
    SHARE_INVALID = "share_invalid"
    VERSION_CONFLICT = "version_conflict"

    # Photos (stores.images)
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_EMPTY = "photo_empty"
    NOT_AN_IMAGE = "not_an_image"
    BROKEN_IMAGE = "broken_image"
    NO_QR = "no_qr"

    # Placing an order
    STORE_NOT_LIVE = "store_not_live"
    ORDER_EMPTY = "order_empty"
    TOO_MANY_LINES = "too_many_lines"
    ORDER_INVALID = "order_invalid"  # several problems at once, each in the message
    PRODUCT_NOT_IN_STORE = "product_not_in_store"
    PRODUCT_NOT_ON_SALE = "product_not_on_sale"
    NOT_ENOUGH_STOCK = "not_enough_stock"
    SOLD_OUT = "sold_out"
    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"
    PHONE_INVALID = "phone_invalid"
    ADDRESS_REQUIRED = "address_required"
    ADDRESS_TOO_LONG = "address_too_long"
    DELIVERY_NOT_OFFERED = "delivery_not_offered"
    ZONE_UNKNOWN = "zone_unknown"
    ZONE_NOT_COVERING = "zone_not_covering"
    PAYMENT_NOT_ACCEPTED = "payment_not_accepted"
    QRIS_SUFFIXES_EXHAUSTED = "qris_suffixes_exhausted"
    QRIS_UNUSABLE = "qris_unusable"
    TOO_MANY_ORDERS = "too_many_orders"  # the address's orders per minute (stores.ratelimit)

    # Moving an order on, payments, payouts
    STATUS_UNKNOWN = "status_unknown"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    PAID_REFUND_INSTEAD = "paid_refund_instead"
    UNPAID_CANCEL_INSTEAD = "unpaid_cancel_instead"
    CASH_PAID_ON_DELIVERY = "cash_paid_on_delivery"
    AWAITING_PAYMENT = "awaiting_payment"
    PROVIDER_CONFIRMS = "provider_confirms"
    NOT_CONFIRMED_BY_HAND = "not_confirmed_by_hand"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_AWAITING_PROVIDER = "not_awaiting_provider"
    NOT_SANDBOX = "not_sandbox"
    AMOUNT_INVALID = "amount_invalid"
    PAYOUT_ABOVE_OWED = "payout_above_owed"

    # A static QRIS that cannot be kept: the codec's reason
    QRIS_PAYLOAD_TYPE = "qris.payload.type"
    QRIS_PAYLOAD_EMPTY = "qris.payload.empty"
    QRIS_PAYLOAD_LENGTH = "qris.payload.length"
    QRIS_FORMAT_INDICATOR = "qris.format.indicator"
    QRIS_TLV_TRUNCATED = "qris.tlv.truncated"
    QRIS_TLV_TAG = "qris.tlv.tag"
    QRIS_TLV_LENGTH = "qris.tlv.length"
    QRIS_TAG_DUPLICATE = "qris.tag.duplicate"
    QRIS_TAG_MISSING = "qris.tag.missing"
    QRIS_CRC_MISSING = "qris.crc.missing"
    QRIS_CRC_DUPLICATE = "qris.crc.duplicate"
    QRIS_CRC_MISMATCH = "qris.crc.mismatch"
    QRIS_POINT_OF_INITIATION_INVALID = "qris.point_of_initiation.invalid"
    QRIS_POINT_OF_INITIATION_DYNAMIC = "qris.point_of_initiation.dynamic"
    QRIS_MERCHANT_ACCOUNT_MISSING = "qris.merchant_account.missing"
    QRIS_MERCHANT_NAME_MISSING = "qris.merchant_name.missing"
    QRIS_CURRENCY_INVALID = "qris.currency.invalid"
    QRIS_AMOUNT_INVALID = "qris.amount.invalid"
