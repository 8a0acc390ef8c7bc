"""The supply panel of a business's console page (``ENTERPRISE_PANELS``): (being written)."""


def enterprise_panel(*, enterprise, user):
    return None
