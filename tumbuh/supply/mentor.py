"""The mentor app's ``supply_link`` records: (being written)."""


def apply_supply_link(*, user, record, memo=None):
    raise NotImplementedError
