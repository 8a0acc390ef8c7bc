"""Paging of the API's lists: one bound on ``offset`` for every list.

An offset is where a page starts; past ``MAX_OFFSET`` nobody pages by hand (a client that needs
more narrows its filters or uses an export), and an unbounded one reaches the database as a
number it cannot hold ("bigint out of range").
"""

from pydantic import Field

MAX_OFFSET = 1_000_000


def offset_field():
    """The ``offset`` of a list's filters: 0 to ``MAX_OFFSET``."""
    return Field(0, ge=0, le=MAX_OFFSET, description=f"where the page starts (0 to {MAX_OFFSET:_})")
