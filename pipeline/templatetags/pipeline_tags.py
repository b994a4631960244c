"""Template helpers of the task rows (the agenda, the dashboard, the cards' task panels).

What a row shows is made here in Python, once per request (texts, icons, URL patterns) or once
per row (`dress_task_rows`), and `pipeline/_task_rows.html` only writes it out: left to the
template, the agenda's 140 rows cost about 830 `reverse()` and 19,000 variable lookups, most of
the page's time (issue 20).
"""

from functools import lru_cache

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from contacts.templatetags.contacts_tags import phone_link
from core.access import owner_of, view_reach
from core.db import TrashQuerySet
from core.icons import task_icon
from core.rows import url_format
from core.templatetags.core_tags import icon
from core.templatetags.core_tags import user_label as user_label_or_dash
from core.users import user_label
from pipeline.links import task_context

register = template.Library()


def task_row_ui(request) -> dict:
    """The texts, icons and URL patterns the rows share, made once per request."""
    cached = getattr(request, "_task_row_ui", None)
    if cached is not None:
        return cached
    recurring, private = _("Recurring"), _("Private")
    ui = {
        "next": request.get_full_path(),
        "mark_done": _("Mark as done"),
        "mark_todo": _("Mark as to do"),
        "check_icon": icon("check"),
        "important": format_html(
            '<strong class="badge badge-red" title="{}">!</strong>', _("Important")
        ),
        "recurring": format_html(
            '<span class="muted" title="{}">{}</span>', recurring, icon("repeat", label=recurring)
        ),
        "private": format_html(
            '<span class="muted" title="{}">{}</span>', private, icon("lock", label=private)
        ),
        "high": format_html('<span class="badge badge-orange">{}</span>', _("high")),
        "done_by": _("done %(when)s by %(who)s"),
        "task_url": url_format("task_detail"),
        "edit_url": url_format("task_edit"),
        "toggle_url": url_format("task_toggle"),
        "urls": {
            "opportunity": url_format("opportunity_detail"),
            "prospect": url_format("prospect_detail"),
            "company": url_format("company_detail"),
            "person": url_format("person_detail"),
        },
        "types": {},  # a task type's id -> its icon, named
        "people": {},  # a user's id -> their label
    }
    request._task_row_ui = ui
    return ui


def _seer(user):
    """`core.access.can_view` for `user`, each model's rule read once rather than through a new
    queryset on each call (the manager's `shows`); the team's rule, which reads the owner
    only, answered once per owner."""
    reach = view_reach(user)
    rules, answers = {}, {}

    def sees(obj) -> bool:
        model = type(obj)
        if model not in rules:
            queryset = model._default_manager.get_queryset()
            shows = getattr(type(queryset), "shows", None)
            rules[model] = None if shows is None or shows is TrashQuerySet.shows else queryset.shows
        rule = rules[model]
        if rule is not None:
            return rule(user, obj)
        owner = owner_of(obj)
        if owner not in answers:
            answers[owner] = reach.admits(user, owner)
        return answers[owner]

    return sees


def task_about(task, sees, urls: dict) -> tuple[list, str, str]:
    """The links (label, url), number to call and its country of the record a task is about
    (`pipeline.links.task_context`), with the user's rights as `sees` and the URLs from `urls`
    (format strings by kind)."""
    context = task_context(
        task, sees=sees, url_of=lambda record: urls[record._meta.model_name].format(record.pk)
    )
    return context.links, context.phone, context.country


# A number's link is the same for every user and request: parsing it (phonenumbers) is the
# dearest part of a row.
_phone_link = lru_cache(maxsize=4096)(phone_link)


def dress_task_rows(
    request,
    tasks,
    *,
    colour: str = "",
    first_line: bool = True,
    show_assignee: bool = False,
    hide_target: bool = False,
) -> list:
    """Give each task `view`, a dict of plain strings and flags: all its row shows. A dict
    because the template reads a dict's keys at once, where an object's attributes cost it a
    failed key lookup each. `colour` colours the due badge of a task to do (the task's own
    colour without it); `first_line` cuts the notes to their first line."""
    ui = task_row_ui(request)
    user = request.user
    sees = _seer(user)
    zone = timezone.get_current_timezone()
    urls, types, people = ui["urls"], ui["types"], ui["people"]
    for task in tasks:
        pk, done = task.pk, task.done
        check = ui["mark_todo"] if done else ui["mark_done"]
        type_html = types.get(task.type_id)
        if type_html is None:
            kind = task.type
            type_html = types[task.type_id] = format_html(
                '<span class="task-type" title="{}">{}</span>',
                kind.name,
                icon(task_icon(kind.icon or ""), label=kind.name),
            )
        lead = format_html("{} {}", type_html, ui["important"]) if task.important else type_html
        flags = ""
        if task.is_recurring:
            flags = format_html("{} {}", flags, ui["recurring"])
        if task.is_private:
            flags = format_html("{} {}", flags, ui["private"])
        if task.priority == 1:
            flags = format_html("{} {}", flags, ui["high"])
        # The meta line: what the task is about, the number to call, who, where, when done.
        links, phone, country = task_about(task, sees, urls)
        meta = []
        if not hide_target:
            meta.extend(
                format_html('<span data-task-about><a href="{}">{}</a></span>', url, label)
                if url
                else format_html("<span data-task-about>{}</span>", label)
                for label, url in links
            )
        if phone:
            meta.append(
                format_html('<span class="task-phone">{}</span>', _phone_link(phone, country))
            )
        if show_assignee and task.assignee_id:
            if task.assignee_id not in people:
                people[task.assignee_id] = user_label(task.assignee)
            meta.append(format_html("<span>{}</span>", people[task.assignee_id]))
        if task.location:
            meta.append(format_html("<span>{}</span>", task.location))
        if done and task.done_at:
            done_text = ui["done_by"] % {
                "when": timezone.localtime(task.done_at, zone).strftime("%d/%m/%Y %H:%M"),
                "who": user_label_or_dash(task.done_by),
            }
            meta.append(format_html("<span>{}</span>", done_text))
        notes = ""
        if task.notes:
            notes = format_html(
                '<div class="task-notes">{}</div>',
                task.first_line if first_line else linebreaksbr(task.notes, autoescape=True),
            )
        start = timezone.localtime(task.start, zone)
        task.view = {
            "key": str(pk),
            "done": done,
            "done_value": "0" if done else "1",
            "pressed": "true" if done else "false",
            "check": check,
            "toggle_url": ui["toggle_url"].format(pk),
            "url": ui["task_url"].format(pk),
            "edit_url": ui["edit_url"].format(pk),
            "due_class": "" if done else f"badge-{colour or task.colour}",
            "due": start.strftime("%d/%m/%Y" if task.all_day else "%d/%m/%Y %H:%M"),
            "lead": lead,
            "title": task.title,
            "flags": flags,
            # Spaced as the template's lines were: `.task-meta` dots the gaps (CSS).
            "meta": format_html_join(" ", "{}", ((part,) for part in meta)),
            "notes": notes,
        }
    return tasks
