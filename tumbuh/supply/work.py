"""The work this app gives a person (``accounts.work``): (being written)."""


def work_for(user, held) -> list:
    return []
