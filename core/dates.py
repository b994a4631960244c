"""Abbreviated month names as French writes them (Imprimerie nationale): "janv.", "févr.",
"avr.", "juil.", "sept.", never Django's "jan." and "fév.", nor the three letters of the "M"
format, whose "jui" does not tell June from July.

The names are Django's own msgids (context "abbrev. month", the "N" date format): listed here,
they are in the project's catalogue, which Django reads before its own (LOCALE_PATHS), so every
`date:"N"` and `date_format(day, "N Y")` of the app follows, charts and reports alike.
"""

import datetime as dt

from django.utils.translation import pgettext_lazy

MONTH_ABBREVIATIONS = {
    1: pgettext_lazy("abbrev. month", "Jan."),
    2: pgettext_lazy("abbrev. month", "Feb."),
    3: pgettext_lazy("abbrev. month", "March"),
    4: pgettext_lazy("abbrev. month", "April"),
    5: pgettext_lazy("abbrev. month", "May"),
    6: pgettext_lazy("abbrev. month", "June"),
    7: pgettext_lazy("abbrev. month", "July"),
    8: pgettext_lazy("abbrev. month", "Aug."),
    9: pgettext_lazy("abbrev. month", "Sept."),
    10: pgettext_lazy("abbrev. month", "Oct."),
    11: pgettext_lazy("abbrev. month", "Nov."),
    12: pgettext_lazy("abbrev. month", "Dec."),
}


def month_abbreviation(day: dt.date) -> str:
    """The month of `day`, abbreviated in the active language ("juil.", "July")."""
    return str(MONTH_ABBREVIATIONS[day.month])
