"""The prospect list's rows, dressed for its template (`templates/prospects/prospect_list.html`):
every text a row shows formatted once in Python (as `pipeline.views.board_cards.card_html` writes the
Kanban's cards), rather than through template filters, `{% url %}` and `{% translate %}` on
every row."""

from django.utils import formats, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.numbers import whole_amount
from core.rows import url_format
from core.users import user_label
from pipeline.models import Opportunity

# What a row of the list reads, and no more: a prospect or an opportunity has some forty columns
# (notes, search words...), and each one read costs its conversion on every row.
LIST_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "city",
    "created_at",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)
LIST_OPPORTUNITY_FIELDS = (
    "prospect",
    "status",
    "created_at",
    "summary",
    "step__label",
    "next_action_at",
    "action_colour",
    "amount",
    "probability",
    "expected_date",
)


def _row_ui() -> dict:
    """What every row of the list shares, made once per request: texts, URL patterns, the
    names of days and months (as the `date` filter writes them), the thousands separator."""
    return {
        "select": _("Select"),
        "prospect_url": url_format("prospect_detail"),
        "opportunity_url": url_format("opportunity_detail"),
        "statuses": {value: str(label) for value, label in Opportunity.Status.choices},
        "weekdays": {number: str(name) for number, name in WEEKDAYS.items()},
        "months": {number: str(name) for number, name in MONTHS.items()},
        # Whole euros grouped as `floatformat:"0g"` groups them ("50 000" in French).
        "thousands": formats.get_format("THOUSAND_SEPARATOR", use_l10n=True),
    }


_NO_OPPORTUNITY = dict.fromkeys(
    (
        "project_url",
        "summary",
        "other_count",
        "other_title",
        "status",
        "status_label",
        "step",
        "action_colour",
        "action_full",
        "action_text",
        "amount",
        "probability",
        "expected_full",
        "expected_text",
    ),
    "",
)


def dress_rows(prospects) -> list[dict]:
    """The list's rows as dicts of plain strings: all a row shows (links, dates, amount, owner),
    each formatted once here rather than through template filters, `{% url %}` and
    `{% translate %}` on every row. A dict because the template reads a dict's keys at once.
    The texts are those the template's filters wrote: `date:"l j F Y H:i"`, `date:"d/m/y"`,
    `floatformat:"0g"`, `user_label`."""
    ui = _row_ui()
    months, weekdays = ui["months"], ui["weekdays"]
    owners: dict[int | None, str] = {}
    others: dict[int, str] = {}
    rows = []
    for prospect in prospects:
        opportunities = prospect.listed_opportunities
        # The first open one, else the first (as `exporting.main_opportunity` picks it).
        main = next(
            (o for o in opportunities if o.status == Opportunity.Status.OPEN),
            opportunities[0] if opportunities else None,
        )
        name = prospect.full_name
        url = ui["prospect_url"].format(prospect.pk)
        if prospect.owner_id not in owners:
            owners[prospect.owner_id] = user_label(prospect.owner) if prospect.owner else "—"
        row = {
            "pk": str(prospect.pk),
            "url": url,
            "panel_url": f"{url}panel/",
            "select_label": f"{ui['select']} {prospect}",
            "name": name,
            "name_text": name or "—",
            "company": prospect.company_name,
            "categories": [(c.colour, c.name) for c in prospect.listed_categories],
            "owner": owners[prospect.owner_id],
            "city": prospect.city,
            "created": timezone.localtime(prospect.created_at).strftime("%d/%m/%y"),
            "main": main is not None,
            # Every key present: a key the template misses costs it three failed lookups.
            **_NO_OPPORTUNITY,
        }
        if main is not None:
            other_count = len(opportunities) - 1
            if other_count and other_count not in others:
                others[other_count] = ngettext(
                    "%(counter)s other opportunity", "%(counter)s other opportunities", other_count
                ) % {"counter": other_count}
            row |= {
                "project_url": ui["opportunity_url"].format(main.pk),
                "summary": main.summary,
                "other_count": str(other_count) if other_count else "",
                "other_title": others.get(other_count, ""),
                "status": main.status,
                "status_label": ui["statuses"].get(main.status, main.status),
                "step": main.step.label if main.step_id else "",
                "action_colour": main.action_colour,
                "amount": whole_amount(main.amount, ui["thousands"]),
                "probability": str(main.probability),
            }
            if main.next_action_at:
                at = timezone.localtime(main.next_action_at)
                row["action_full"] = (
                    f"{weekdays[at.weekday()]} {at.day} {months[at.month]} {at.year} {at:%H:%M}"
                )
                row["action_text"] = at.strftime("%d/%m/%y %H:%M")
            if main.expected_date:
                day = main.expected_date
                row["expected_full"] = f"{day.day} {months[day.month]} {day.year}"
                row["expected_text"] = day.strftime("%d/%m/%y")
        rows.append(row)
    return rows
