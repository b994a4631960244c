"""Numbers (and dates) read from a request: the one way a view turns a query parameter or a POST
field into an int. Whatever a client sends (nothing, "", "abc", "1.5", "²", thirty digits, -1,
2**63), the answer is an int within the bounds the caller states, or the caller's default: never
a ValueError, never a number the database cannot store (its columns hold at most 2**63 - 1).

`str.isdigit()` is no check: it accepts "²" and "٣", which `int()` refuses or reads as 3."""

import datetime as dt
import re
from collections.abc import Mapping

# The largest value of a database integer column (PostgreSQL bigint, SQLite INTEGER).
MAX_INT = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(
    value,
    default: int | None = None,
    *,
    min_value: int = 0,
    max_value: int = MAX_INT,
    clamp: bool = False,
) -> int | None:
    """`value` (a str from a request, or an int) as an int in [min_value, max_value]; `default`
    when it is absent or not a plain ASCII integer. Out of bounds: `default`, or the nearest
    bound when `clamp` (a page size, a number of months)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return default
    if min_value <= number <= max_value:
        return number
    if clamp:
        return min(max(number, min_value), max_value)
    return default


def int_param(
    data: Mapping,
    name: str,
    default: int | None = None,
    *,
    min_value: int = 0,
    max_value: int = MAX_INT,
    clamp: bool = False,
) -> int | None:
    """`data[name]` (request.GET, request.POST) read by `parse_int`."""
    return parse_int(data.get(name), default, min_value=min_value, max_value=max_value, clamp=clamp)


def id_param(data: Mapping, name: str) -> int | None:
    """The record id `data[name]` names (a positive int a table can hold), else None."""
    return parse_int(data.get(name), None, min_value=1)


def date_param(
    data: Mapping, name: str, default: dt.date | None, *, earliest: dt.date, latest: dt.date
) -> dt.date | None:
    """`data[name]` as an ISO date (yyyy-mm-dd) in [earliest, latest], else `default`: a view
    that computes from the date (the weeks around it, the tasks of a series up to it) never
    meets year 9999."""
    try:
        day = dt.date.fromisoformat(str(data.get(name) or ""))
    except ValueError:
        return default
    return day if earliest <= day <= latest else default
