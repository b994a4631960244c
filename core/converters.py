"""The `id` path converter: a record's id in a URL (`<id:pk>`).

Django's `int` converter takes any run of digits, and a number past what a database column holds
reaches the query: SQLite raises OverflowError there, a 500. `id` takes only what a column can
hold (core.params.MAX_INT); anything larger matches no route, so the answer is a 404, as for any
id that names no record. Registered in core/apps.py, before any URLconf is read."""

from core.params import MAX_INT


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_INT:
            raise ValueError(value)  # Django reads a ValueError as "this route does not match"
        return number

    def to_url(self, value) -> str:
        return str(int(value))
