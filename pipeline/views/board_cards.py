"""The Kanban's cards: each card's HTML written once in Python (`card_html`), for the board,
"load more", a card's refresh and a move's answer alike."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.access import change_reach
from core.icons import task_icon
from core.numbers import whole_amount
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.users import user_label

# What every card says and links to is made once per request, not once per card: with the
# texts, links and numbers left to the template, 84 cards cost 763 {% translate %}, 332
# {% url %} and 2,659 localize calls, most of the board's time.
CARD_TEXTS = {
    "important": _("Important"),
    "colleague_task": _("Task of a colleague"),
    "colleague_task_help": _("A colleague’s task you may not read: only its time shows."),
    "no_action": _("No action planned"),
    "open_prospect": _("Open the prospect card"),
    "open_company": _("Open the company card"),
    "edit_task": _("Edit the displayed task"),
    "create_task": _("Create a task"),
    "move_to": _("Move to…"),
}


def card_ui(request) -> dict:
    """The texts, icons and URL patterns the cards share, made once per request."""
    cached = getattr(request, "_board_card_ui", None)
    if cached is not None:
        return cached
    texts = {key: str(text) for key, text in CARD_TEXTS.items()}
    ui = {
        "flag": icon("flag", label=texts["important"]),
        "prospect_icon": icon("target", label=texts["open_prospect"]),
        "company_icon": icon("building-2", label=texts["open_company"]),
        "edit_icon": icon("pencil", label=texts["edit_task"]),
        "create_icon": icon("calendar-plus", label=texts["create_task"]),
        "move_icon": icon("arrow-left-right", label=texts["move_to"]),
        "opportunity_url": url_format("opportunity_detail"),
        "prospect_url": url_format("prospect_detail"),
        "company_url": url_format("company_detail"),
        "task_url": url_format("task_edit"),
        "task_create_url": reverse("task_create") + "?opportunity={}",
        # Whole euros grouped as `core.numbers.format_decimal` groups them ("20 000" in
        # French), its separator read once rather than per card.
        "thousands": formats.get_format("THOUSAND_SEPARATOR", use_l10n=True),
        "task_icons": {},
        "owners": {},
        "this_year": timezone.localdate().year,
    }
    # The texts escaped once here rather than on every card.
    ui |= {key: escape(text) for key, text in texts.items()}
    request._board_card_ui = ui
    return ui


def _initials(owner) -> str:
    if owner.first_name or owner.last_name:
        return (owner.first_name[:1] + owner.last_name[:1]).upper()
    return owner.username[:2].upper()


# A card's HTML, written by `card_html` from these fixed pieces: one `format_html` per card,
# its format string the pieces the card needs, every value escaped by `format_html`. The
# board draws up to 2,000 cards; as a template, each cost ~40 variables and 12 `if`s.
_CARD_OPEN = (
    '\n<article class="kanban-card" id="card-{key}" tabindex="0"\n'
    '         data-opportunity="{key}" data-version="{version}"'
)
_CARD_OPEN_IMPORTANT = _CARD_OPEN.replace('"kanban-card"', '"kanban-card important"')
_CARD_MOVABLE = " data-movable"
_CARD_TOP = (
    ' aria-label="{label}">\n'
    '  <div class="kc-top">\n'
    '    <a class="kc-summary" href="{url}" draggable="false">{summary}</a>\n'
)
_CARD_FLAG = '    <span class="kc-flag" title="{ui_important}">{ui_flag}</span>\n'
_CARD_WHO = {
    (True, True): '  <div class="kc-who small"><strong>{company}</strong> · {person}</div>\n',
    (True, False): '  <div class="kc-who small"><strong>{company}</strong></div>\n',
    (False, True): '  <div class="kc-who small">{person}</div>\n',
}
_CARD_TASK = '    <span class="kc-task">{task_icon} {task_title}</span>\n'
_CARD_COLLEAGUE_TASK = (
    '    <span class="kc-task"><span class="muted" title="{ui_colleague_task_help}">'
    "{ui_colleague_task}</span></span>\n"
)
_CARD_TIME = (
    '    <time class="badge colour-{colour_class}" datetime="{action_iso}" title="{action_full}"'
    ' data-colour="{colour}">{action_text}</time>\n'
    "  </div>\n"
)
_CARD_NO_ACTION = '  <div class="kc-action small muted">{ui_no_action}</div>\n'
_CARD_META = (
    '  <div class="kc-meta small">\n'
    '    <span class="kc-amount">{amount}</span>\n'
    '    <span class="kc-probability muted">{probability}</span>\n'
)
_CARD_OWNER = '    <span class="avatar kc-owner" title="{owner_name}">{owner_initials}</span>\n'
_CARD_PROSPECT = (
    '    <a class="icon-btn" href="{prospect_url}" title="{ui_open_prospect}" draggable="false">'
    "{ui_prospect_icon}</a>\n"
)
_CARD_COMPANY = (
    '    <a class="icon-btn" href="{company_url}" title="{ui_open_company}" draggable="false">'
    "{ui_company_icon}</a>\n"
)
_CARD_EDIT_TASK = (
    '    <button type="button" class="icon-btn" title="{ui_edit_task}"\n'
    '        hx-get="{task_url}" data-task-for="{key}" hx-target="#modal-body">{ui_edit_icon}</button>\n'
)
_CARD_CREATE_TASK = (
    '    <button type="button" class="icon-btn" title="{ui_create_task}"\n'
    '        hx-get="{task_create_url}" data-task-for="{key}" hx-target="#modal-body">'
    "{ui_create_icon}</button>\n"
)
_CARD_MOVE = (
    '    <button type="button" class="icon-btn kc-move" aria-haspopup="menu" aria-expanded="false"'
    ' data-move-menu title="{ui_move_to}">{ui_move_icon}</button>\n'
)


def card_html(card, ui: dict, reach, user) -> str:
    """One card's HTML (`_CARD_*`), for the board, "load more", a move's answer and a card's
    refresh alike. `ui`: `card_ui`; `reach`: the user's `change_reach`, read once."""
    company, person = card.display_company, card.display_person
    task = getattr(card, "next_task", None)
    key = card.pk
    values = {
        "key": key,
        "version": card.version,
        "label": f"{card.summary}, {company}" if company else card.summary,
        "url": ui["opportunity_url"].format(key),
        "summary": card.summary,
        "amount": f"{whole_amount(card.amount, ui['thousands'])}\u00a0€",
        "probability": f"{card.probability}\u00a0%",
    }
    parts = [_CARD_OPEN_IMPORTANT if card.is_important else _CARD_OPEN]
    if card.movable:
        parts.append(_CARD_MOVABLE)
    parts.append(_CARD_TOP)
    if card.is_important:
        parts.append(_CARD_FLAG)
        values |= {"ui_important": ui["important"], "ui_flag": ui["flag"]}
    parts.append("  </div>\n")
    if company or person:
        parts.append(_CARD_WHO[bool(company), bool(person)])
        values |= {"company": company, "person": person}
    if card.next_action_at:
        parts.append('  <div class="kc-action small">\n')
        if task:
            name = task_icon(task.get("icon") or "")
            task_icons = ui["task_icons"]
            if name not in task_icons:
                task_icons[name] = icon(name)
            parts.append(_CARD_TASK)
            values |= {"task_icon": task_icons[name], "task_title": task["title"]}
        else:
            parts.append(_CARD_COLLEAGUE_TASK)
            values |= {
                "ui_colleague_task_help": ui["colleague_task_help"],
                "ui_colleague_task": ui["colleague_task"],
            }
        at = timezone.localtime(card.next_action_at)
        parts.append(_CARD_TIME)
        values |= {
            "colour_class": card.action_colour or "none",
            "colour": card.action_colour,
            "action_iso": at.isoformat(),
            "action_full": at.strftime("%d/%m/%Y %H:%M"),
            # The year only when it is not this one: narrow columns keep the time on one line.
            "action_text": at.strftime("%d/%m %H:%M" if at.year == ui["this_year"] else "%d/%m/%Y"),
        }
    else:
        parts.append(_CARD_NO_ACTION)
        values["ui_no_action"] = ui["no_action"]
    parts.append(_CARD_META)
    if card.owner_id:
        owners = ui["owners"]
        if card.owner_id not in owners:
            # Escaped once per owner rather than on each of their cards.
            owners[card.owner_id] = (
                escape(_initials(card.owner)),
                escape(user_label(card.owner)),
            )
        initials, name = owners[card.owner_id]
        if initials:
            parts.append(_CARD_OWNER)
            values |= {"owner_initials": initials, "owner_name": name}
    parts.append('  </div>\n  <div class="kc-actions">\n')
    if card.prospect_id:
        parts.append(_CARD_PROSPECT)
        values |= {
            "prospect_url": ui["prospect_url"].format(card.prospect_id),
            "ui_open_prospect": ui["open_prospect"],
            "ui_prospect_icon": ui["prospect_icon"],
        }
    elif card.company_id:
        parts.append(_CARD_COMPANY)
        values |= {
            "company_url": ui["company_url"].format(card.company_id),
            "ui_open_company": ui["open_company"],
            "ui_company_icon": ui["company_icon"],
        }
    if reach.admits(user, card.owner_id):
        if task:
            parts.append(_CARD_EDIT_TASK)
            values |= {
                "task_url": ui["task_url"].format(task["id"]),
                "ui_edit_task": ui["edit_task"],
                "ui_edit_icon": ui["edit_icon"],
            }
        parts.append(_CARD_CREATE_TASK)
        values |= {
            "task_create_url": ui["task_create_url"].format(key),
            "ui_create_task": ui["create_task"],
            "ui_create_icon": ui["create_icon"],
        }
    if card.movable:
        parts.append(_CARD_MOVE)
        values |= {"ui_move_to": ui["move_to"], "ui_move_icon": ui["move_icon"]}
    parts.append("  </div>\n</article>\n")
    return format_html("".join(parts), **values)


def cards_html(request, cards) -> str:
    """The cards' HTML, one after the other (`card_html`): the one home of a card's markup."""
    ui = card_ui(request)
    user = request.user
    reach = change_reach(user)
    return format_html_join("", "{}", ((card_html(card, ui, reach, user),) for card in cards))
