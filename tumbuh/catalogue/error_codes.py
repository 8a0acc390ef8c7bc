"""Every code the catalogue refuses with (``core.refusals.Refused``), one enumeration.

The strings are stable: the catalogue API answers them as ``reason`` and tests assert them. Add
a code here before raising it; never rename one.
"""

from enum import StrEnum


class CatalogueError(StrEnum):
    # Campaigns: title, address, time window
    TITLE_REQUIRED = "title_required"
    SLUG_INVALID = "slug_invalid"
    SLUG_TAKEN = "slug_taken"
    WINDOW_REQUIRED = "window_required"
    WINDOW_REVERSED = "window_reversed"

    # A campaign's products
    PRODUCT_NOT_LISTED = "product_not_listed"
    ALREADY_IN_CAMPAIGN = "already_in_campaign"
    CAMPAIGN_FULL = "campaign_full"
    NOT_IN_CAMPAIGN = "not_in_campaign"

    # Search parameters of the API
    CATEGORY_UNKNOWN = "category_unknown"
    PRICE_RANGE_REVERSED = "price_range_reversed"
