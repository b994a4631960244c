"""core.params: the one reading of numbers sent by clients."""

import pytest
from django.http import QueryDict

from core.params import MAX_INT, id_param, int_param, parse_int


@pytest.mark.parametrize(
    "value",
    [None, "", " ", "abc", "1.5", "1e309", "²", "٣", "１２", "0x10", "9" * 30, str(2**63), "1\x00"],
)
def test_junk_is_the_default(value):
    assert parse_int(value, 7) == 7


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0), ("42", 42), (" 42 ", 42), ("+3", 3), (str(MAX_INT), MAX_INT)]
)
def test_plain_integers_are_read(value, expected):
    assert parse_int(value) == expected


def test_bounds_give_the_default_or_the_nearest_bound():
    assert parse_int("-1", 5) == 5
    assert parse_int("-1", 5, min_value=-10) == -1
    assert parse_int("100", 12, min_value=1, max_value=36) == 12
    assert parse_int("100", 12, min_value=1, max_value=36, clamp=True) == 36
    assert parse_int("-4", 12, min_value=1, max_value=36, clamp=True) == 1
    assert parse_int(True, 3) == 3


def test_request_parameters():
    data = QueryDict("offset=20&person=%C2%B2&company=12")
    assert int_param(data, "offset") == 20
    assert int_param(data, "missing", 0) == 0
    assert id_param(data, "person") is None
    assert id_param(data, "company") == 12


def test_dates_out_of_reach_are_the_default():
    import datetime as dt

    from core.params import date_param

    today = dt.date(2026, 3, 1)
    reach = {"earliest": dt.date(1926, 1, 1), "latest": dt.date(2036, 3, 1)}
    for junk in ("9999-12-31", "0001-01-01", "2024-02-30", "abc", "", "1%00"):
        assert date_param(QueryDict(f"date={junk}"), "date", today, **reach) == today
    assert date_param(QueryDict("date=2030-05-04"), "date", today, **reach) == dt.date(2030, 5, 4)
