"""Keyset pagination for large lists: pages that cost the same on page 1 and on page 20,000.

A page with ``OFFSET`` makes the database read and throw away every row before it, and Django's
``Paginator`` adds a full ``COUNT`` to each page; at 30 million businesses both take seconds.
A keyset page starts *after the last row shown* instead: the list is ordered by columns that
end in a unique one (``name, pk``), the page asks for the rows whose key comes after the cursor's,
and an index on those columns reads exactly the page. Links say "first", "previous" and "next";
there is no "page 7 of 12,000".

The cursor is the key of a boundary row, opaque in the URL (URL-safe base64 of JSON): a business
name is not personal data, and no column that is (NIK, phone) may be a key. A cursor that does
not decode, or whose values do not fit the key's fields, is refused with :class:`BadCursor`.

Counts come separately from :func:`capped_count`: exact up to a cap (reading at most that many
rows), above it the planner's estimate on PostgreSQL, labelled as an estimate on the page.
"""

import base64
import binascii
import datetime
import json
import math
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tumbuh.core.refusals import Refused

__all__ = [
    "BadCursor",
    "Count",
    "KeysetPage",
    "capped_count",
    "cursor_after",
    "keyset_page",
    "page_from_request",
]

COUNT_CAP = 10_000
# An estimate this many times the cap is not checked by counting (PostgreSQL).
TRUSTED_ESTIMATE = 10
# The longest a count may take on PostgreSQL before the page gives the estimate instead.
COUNT_BUDGET_MS = 40
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout


class BadCursor(Refused):
    """A ``cursor`` parameter that is not one this module wrote for this list: the API answers
    422 with reason ``bad_cursor``; a page shows its first page with the message."""

    def __init__(self):
        super().__init__(
            "bad_cursor",
            _("The page link is not valid (it may be cut short); showing the first page."),
            field="cursor",
        )


@dataclass(frozen=True)
class Count:
    """How many rows a list has: ``value`` exactly when ``is_exact``, else more than ``cap``
    (``estimate`` is the planner's guess on PostgreSQL, None elsewhere). ``as_of``: the list's
    count was taken from figures kept by rollups, exact at that time (``value`` then)."""

    value: int
    is_exact: bool
    cap: int
    estimate: int | None = None
    as_of: datetime.datetime | None = None


@dataclass(frozen=True)
class KeysetPage:
    """One page of a keyset-paginated list, with the cursors of its neighbours."""

    items: list
    next_cursor: str | None
    previous_cursor: str | None
    size: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _encode(direction: str, values: list) -> str:
    text = json.dumps([direction, *values], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list) -> tuple[str, list]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise BadCursor() from None
    if not (isinstance(data, list) and len(data) == len(fields) + 1 and data[0] in ("n", "p")):
        raise BadCursor()
    values = []
    for field, raw in zip(fields, data[1:], strict=True):
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise BadCursor()
        if isinstance(raw, float) and not math.isfinite(raw):
            raise BadCursor()
        try:
            value = field.to_python(raw)
        except ValidationError:
            raise BadCursor() from None
        if value is None:
            raise BadCursor()
        values.append(value)
    return data[0], values


def _parse_ordering(queryset: QuerySet, ordering: tuple[str, ...]):
    """(attribute path, is_descending, model field) for each key column."""
    parsed = []
    for item in ordering:
        descending = item.startswith("-")
        name = item.lstrip("-")
        model = queryset.model
        field = model._meta.pk if name == "pk" else None
        if name in queryset.query.annotations:  # a computed key: a search's distance
            field = queryset.query.annotations[name].output_field
        if field is None:
            parts = name.split("__")
            for part in parts[:-1]:
                model = model._meta.get_field(part).related_model
            field = model._meta.get_field(parts[-1])
        parsed.append((name, descending, field))
    return parsed


def _after(keys, values, *, backwards: bool) -> Q:
    """Rows whose key comes after ``values`` in the list's order (before, if ``backwards``).

    Written as ``a >= x AND (a > x OR (b >= y AND (b > y OR …)))`` rather than the plain
    ``a > x OR (a = x AND …)``: the leading ``a >= x`` is a range an index scan starts from,
    where an ``OR`` at the top would make PostgreSQL read the index from its beginning.
    """

    def step(index: int) -> Q:
        name, descending, _field = keys[index]
        later = descending == backwards  # ascending and forwards: greater comes later
        strict = Q(**{f"{name}__{'gt' if later else 'lt'}": values[index]})
        if index == len(keys) - 1:
            return strict
        loose = Q(**{f"{name}__{'gte' if later else 'lte'}": values[index]})
        return loose & (strict | step(index + 1))

    return step(0)


def _key_of(item, keys) -> list:
    values = []
    for name, _descending, _field in keys:
        value = reduce(getattr, name.split("__"), item)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    return values


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    cursor: str = "",
    size: int = 50,
    keys_first: bool = False,
) -> KeysetPage:
    """The page of ``queryset`` after (or before) ``cursor``, ordered by ``ordering``.

    ``ordering`` must end in a unique column (``("name", "pk")``, ``("-created_at", "-pk")``)
    and name no nullable one. Reads ``size + 1`` rows to know whether another page follows.
    Raises :class:`BadCursor` for a cursor this list did not give.

    ``keys_first`` reads the page's primary keys first, then its rows by those keys. Where an
    index holds the order and every column the filters read, the first read walks that index
    alone: a filter that passes one row in thirty costs thirty index entries per row shown, not
    thirty reads of the table (the registry's lists filtered on a milestone or a KBLI section).
    """
    keys = _parse_ordering(queryset, ordering)
    direction, values = ("n", None)
    if cursor:
        direction, values = _decode(cursor, [field for _name, _descending, field in keys])
    backwards = direction == "p"
    order = [(name if descending == backwards else f"-{name}") for name, descending, _field in keys]
    rows = queryset.order_by(*order)
    if values is not None:
        rows = rows.filter(_after(keys, values, backwards=backwards))
    if keys_first:
        keys_found = list(rows.values_list("pk", flat=True)[: size + 1])
        items = list(queryset.filter(pk__in=keys_found).order_by(*order))
    else:
        items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    if backwards:
        items.reverse()
    first, last = (items[0], items[-1]) if items else (None, None)
    if backwards:
        has_previous, has_next = more, True
    else:
        has_previous, has_next = values is not None, more
    return KeysetPage(
        items=items,
        next_cursor=_encode("n", _key_of(last, keys)) if has_next and last is not None else None,
        previous_cursor=(
            _encode("p", _key_of(first, keys)) if has_previous and first is not None else None
        ),
        size=size,
    )


def cursor_after(queryset: QuerySet, item, ordering: tuple[str, ...]) -> str:
    """The cursor of the page that follows ``item`` of ``queryset`` ordered by ``ordering``
    (for a list read by offset that offers the next page by cursor)."""
    return _encode("n", _key_of(item, _parse_ordering(queryset, ordering)))


def planner_estimate(queryset: QuerySet) -> int | None:
    """How many rows the planner expects ``queryset`` to have (PostgreSQL; None elsewhere): its
    statistics, no row read."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _count_within_budget(queryset: QuerySet, cap: int) -> int | None:
    """Rows up to ``cap + 1`` on PostgreSQL, or None when counting takes longer than
    ``COUNT_BUDGET_MS`` (a filter the planner thinks rare matches thousands: reading cap /
    selectivity rows can take seconds). The time limit is set for this statement only, inside a
    savepoint that a cancelled count rolls back."""
    connection = connections[queryset.db]
    try:
        with transaction.atomic(using=queryset.db):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [f"{COUNT_BUDGET_MS}ms"],
                )
                previous = cursor.fetchone()[0]
            found = queryset.order_by().values("pk")[: cap + 1].count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return found
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", "") == QUERY_CANCELED:
            return None
        raise


def capped_count(
    queryset: QuerySet, *, cap: int = COUNT_CAP, page: KeysetPage | None = None
) -> Count:
    """How many rows ``queryset`` has, exactly up to ``cap``, at a bounded cost.

    - The first page of a list that has no next page holds the whole list: counted for free.
    - On PostgreSQL the planner's estimate (table statistics, no row read) comes first; when it
      is already ``TRUSTED_ESTIMATE`` times the cap, that estimate is the answer.
    - Otherwise up to ``cap + 1`` rows are counted, within ``COUNT_BUDGET_MS`` on PostgreSQL;
      above the cap, or when the time runs out, the answer is the estimate, not exact, for a
      page to show as "about N (estimated)". (SQLite has no estimate: "more than ``cap``".)
    """
    if queryset.query.is_empty():  # .none(): nothing to ask the database
        return Count(value=0, is_exact=True, cap=cap)
    if page is not None and not page.has_previous and not page.has_next:
        return Count(value=len(page.items), is_exact=True, cap=cap)
    estimate = planner_estimate(queryset)
    if estimate is None:
        found = queryset.order_by().values("pk")[: cap + 1].count()
    elif estimate > TRUSTED_ESTIMATE * cap:
        # Counting to the cap would read cap / selectivity rows: 200,000 for a word in one name
        # of twenty. Far above the cap the estimate is all a page says anyway.
        return Count(value=estimate, is_exact=False, cap=cap, estimate=estimate)
    else:
        found = _count_within_budget(queryset, cap)
    if found is not None and found <= cap:
        return Count(value=found, is_exact=True, cap=cap)
    if estimate is not None:
        estimate = max(estimate, cap + 1) if found is not None else max(estimate, 1)
    return Count(value=estimate or found, is_exact=False, cap=cap, estimate=estimate)


def page_from_request(
    request,
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    size: int = 50,
    keys_first: bool = False,
) -> KeysetPage:
    """The page a console or shop URL asks for with ``?cursor=``; a cursor that is not valid
    (cut short when copied, edited by hand) gives the first page and says so."""
    from django.contrib import messages

    read = {"ordering": ordering, "size": size, "keys_first": keys_first}
    try:
        return keyset_page(queryset, cursor=request.GET.get("cursor", ""), **read)
    except BadCursor as refusal:
        messages.warning(request, refusal.message_text)
        return keyset_page(queryset, **read)
