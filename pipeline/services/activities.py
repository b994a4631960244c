"""Tasks (activities, prospecting actions): writes, recurrence, management dates.

Contract used by the cards, the Kanban and the dashboard:

    task_create(*, actor, **fields) -> Task
    task_update(*, task, actor, scope="this" | "following", expected_version=None, **fields) -> Task
        raises core.versions.ConcurrentEdit when the task changed since `expected_version`.
    task_set_done(*, task, done, actor) -> Task
    task_delete(*, task, actor, scope="this" | "following") -> None
    management_dates_refresh(*, company=None, prospect=None) -> None
    task_links_refresh(*, task_ids) -> None   (after writes made elsewhere, e.g. a restore)
    series_extend(*, through=None) -> int   (nightly, and when a calendar looks far ahead)

Recurrence (Prextra's "Périodicité" tab) is a python-dateutil rrule carried by the first task of
a series. Its occurrences are stored as Task rows pointing to it (`series`), materialised up to
HORIZON_DAYS ahead and extended later, so that every view (agenda, calendar, feed, dashboard,
Kanban, history) shows them as ordinary tasks and completing one leaves the others alone.

Rules inherited from RFC 5545, which dateutil follows: a monthly series started on the 31st only
occurs in months that have a 31st (short months are skipped, not moved to their last day); a
yearly series started on 29 February only occurs in leap years.

Long because a task's writes and its series cannot be read apart: each write materialises,
shortens or re-aligns the series and refreshes the dates and colours it drives.
"""

import copy
import datetime as dt

from dateutil import rrule
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Prospect
from core.db import lock_row, save_audited
from core.events import emit
from core.trash import audit_change, trash_rows
from core.versions import check_version
from pipeline import clocks
from pipeline.models import AutomationRule, SeriesCut, Task
from pipeline.services import automation as automation_services
from pipeline.services import opportunities as opportunity_services

HORIZON_DAYS = 400

SCOPE_THIS = "this"
SCOPE_FOLLOWING = "following"

END_BEFORE_START = _("The end must be after the start.")
UNTIL_AND_COUNT = _("Choose either an end date or a number of occurrences, not both.")
UNTIL_BEFORE_START = _("The end of the repetition must be after the first occurrence.")
WEEKDAYS_INVALID = _("Choose weekdays between Monday and Sunday.")
NO_OCCURRENCE = _("This repetition gives no occurrence.")

FREQUENCIES = {
    Task.Frequency.DAILY: rrule.DAILY,
    Task.Frequency.WEEKLY: rrule.WEEKLY,
    Task.Frequency.MONTHLY: rrule.MONTHLY,
    Task.Frequency.YEARLY: rrule.YEARLY,
}

RULE_FIELDS = ("frequency", "interval", "weekdays", "until", "count")
# Fields an occurrence copies from the task that starts its series.
COPIED_FIELDS = (
    "title",
    "type_id",
    "all_day",
    "assignee_id",
    "priority",
    "important",
    "location",
    "is_private",
    "notes",
    "opportunity_id",
    "prospect_id",
    "company_id",
    "person_id",
)


# --- recurrence -------------------------------------------------------------------------------


def parse_weekdays(value: str) -> list[int]:
    days = sorted({int(part) for part in value.replace(" ", "").split(",") if part != ""})
    if any(day < 0 or day > 6 for day in days):
        raise ValueError(value)
    return days


def task_rule(task: Task) -> rrule.rrule | None:
    """The task's recurrence as an rrule on naive local date-times (so that a 9:00 meeting stays
    at 9:00 across daylight-saving changes), or None for a one-off task."""
    if not task.frequency:
        return None
    dtstart = timezone.localtime(task.occurrence_start or task.start).replace(tzinfo=None)
    kwargs = {"dtstart": dtstart, "interval": max(task.interval or 1, 1)}
    if task.frequency == Task.Frequency.WEEKLY and task.weekdays:
        kwargs["byweekday"] = parse_weekdays(task.weekdays)
    if task.until:
        kwargs["until"] = dt.datetime.combine(task.until, dt.time.max)
    elif task.count:
        kwargs["count"] = task.count
    return rrule.rrule(FREQUENCIES[task.frequency], **kwargs)


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value, timezone.get_current_timezone())


def _horizon(through: dt.date | None = None) -> dt.datetime:
    through = through or timezone.localdate() + dt.timedelta(days=HORIZON_DAYS)
    return dt.datetime.combine(through, dt.time.max)


def _materialise(head: Task, *, after: dt.datetime, through: dt.date | None = None) -> list[Task]:
    """Create the occurrences of `head`'s rule strictly after `after` (local, naive) up to the
    horizon, skipping days that already hold an occurrence of the series."""
    rule = task_rule(head)
    if rule is None:
        return []
    taken = {
        timezone.localtime(start).date()
        for start in Task.all_objects.filter(Q(pk=head.pk) | Q(series=head)).values_list(
            "occurrence_start", flat=True
        )
        if start is not None
    }
    duration = (head.end - head.start) if head.end else None
    if through is None:
        through = max(timezone.localdate(), after.date()) + dt.timedelta(days=HORIZON_DAYS)
    created = []
    for when in rule.between(after, _horizon(through), inc=False):
        if when.date() in taken:
            continue
        start = _aware(when)
        occurrence = Task(
            series=head,
            start=start,
            occurrence_start=start,
            end=start + duration if duration is not None else None,
            created_by=head.created_by,
            updated_by=head.updated_by,
            **{field: getattr(head, field) for field in COPIED_FIELDS},
        )
        created.append(occurrence)
    Task.objects.bulk_create(created, batch_size=500)
    return created


# How far behind the horizon a series may lag before `series_extend(lazy=True)` tops it up:
# more than one period, so that a finished-for-now series is not looked at on every page.
LAG_DAYS = {"daily": 31, "weekly": 31, "monthly": 62, "yearly": 366}


def series_extend(*, through: dt.date | None = None, heads=None, lazy: bool = False) -> int:
    """Materialise the occurrences of open-ended or long series up to `through` (default: the
    horizon from today). Runs nightly; the agenda calls it lazily (one query when nothing lags)
    and the calendar when a user looks further ahead."""
    through = through or timezone.localdate() + dt.timedelta(days=HORIZON_DAYS)
    if heads is None:
        from django.db.models import Count, F, Max
        from django.db.models.functions import Coalesce

        heads = (
            Task.all_objects.heads()
            .filter(Q(until__isnull=True) | Q(until__gt=timezone.localdate()))
            .annotate(
                last=Coalesce(Max("occurrences__occurrence_start"), "occurrence_start"),
                stored=Count("occurrences"),
            )
            .filter(Q(count__isnull=True) | Q(stored__lt=F("count") - 1))
        )
        lag = Q()
        for frequency, days in LAG_DAYS.items():
            limit = _aware(_horizon(through - dt.timedelta(days=days if lazy else 0)))
            lag |= Q(frequency=frequency, last__lt=limit)
        heads = heads.filter(lag)
    created = 0
    for head_id in [head.pk for head in heads]:
        new = _series_extend_one(head_id, through)
        created += len(new)
        if new:
            clocks.tasks_refresh([task.pk for task in new])
    return created


@transaction.atomic
def _series_extend_one(head_id: int, through: dt.date) -> list[Task]:
    """Extend one series from its last stored occurrence, under its head's lock: two
    extensions at once (the nightly job run twice, an agenda opened at that moment) would both
    read the same last occurrence and both create the following ones."""
    try:
        head = lock_row(Task.all_objects, head_id)
    except Task.DoesNotExist:
        return []  # deleted for good meanwhile
    last = (
        Task.all_objects.filter(Q(pk=head.pk) | Q(series=head))
        .exclude(occurrence_start__isnull=True)
        .order_by("-occurrence_start")
        .values_list("occurrence_start", flat=True)
        .first()
    )
    if last is None:
        return []
    return _materialise(head, after=timezone.localtime(last).replace(tzinfo=None), through=through)


def occurrences_before(task: Task) -> int:
    """How many occurrences of the task's series come before it (for "N times" rules)."""
    if task.series_id is None:
        return 0
    return Task.all_objects.filter(
        Q(pk=task.series_id) | Q(series_id=task.series_id),
        occurrence_start__lt=task.occurrence_start or task.start,
    ).count()


# --- validation -------------------------------------------------------------------------------


def _validate(task: Task) -> None:
    errors: dict[str, list] = {}
    if task.end and task.start and task.end < task.start:
        errors.setdefault("end", []).append(END_BEFORE_START)
    if task.frequency:
        if task.until and task.count:
            errors.setdefault("count", []).append(UNTIL_AND_COUNT)
        if task.until and task.start and task.until < timezone.localtime(task.start).date():
            errors.setdefault("until", []).append(UNTIL_BEFORE_START)
        if task.weekdays:
            try:
                parse_weekdays(task.weekdays)
            except ValueError:
                errors.setdefault("weekdays", []).append(WEEKDAYS_INVALID)
    else:
        task.interval, task.weekdays, task.until, task.count = 1, "", None, None
    if errors:
        raise ValidationError(errors)
    task.full_clean(exclude=["colour", "series"])


def _align_to_rule(task: Task) -> None:
    """RFC 5545 makes the first start an occurrence; dateutil does not, so a weekly Mon/Wed/Fri
    task entered on a Tuesday starts on the Wednesday."""
    if not task.frequency:
        return
    rule = task_rule(task)
    first = next(iter(rule), None)
    if first is None:
        raise ValidationError({"frequency": [NO_OCCURRENCE]})
    first = _aware(first)
    if first != task.start:
        if task.end:
            task.end = first + (task.end - task.start)
        task.start = first
    task.occurrence_start = first


# --- side effects -----------------------------------------------------------------------------


def _linked(tasks) -> tuple[set[int], set[int], set[int]]:
    """Opportunities, companies and prospects whose clocks or management dates a change of these
    tasks may move."""
    opportunities, companies, prospects = set(), set(), set()
    for task in tasks:
        if task.opportunity_id:
            opportunities.add(task.opportunity_id)
            opportunity = task.opportunity
            if opportunity.company_id:
                companies.add(opportunity.company_id)
            if opportunity.prospect_id:
                prospects.add(opportunity.prospect_id)
        if task.company_id:
            companies.add(task.company_id)
        if task.prospect_id:
            prospects.add(task.prospect_id)
    return opportunities, companies, prospects


def _after_write(task_ids, linked_before=((), (), ())) -> None:
    """Refresh stored colours and management dates of everything the tasks touch."""
    tasks = list(Task.all_objects.filter(pk__in=list(task_ids)).select_related("opportunity"))
    clocks.tasks_refresh([task.pk for task in tasks])
    opportunities, companies, prospects = _linked(tasks)
    opportunities |= set(linked_before[0])
    companies |= set(linked_before[1])
    prospects |= set(linked_before[2])
    if opportunities:
        clocks.opportunities_refresh(opportunities)
    from contacts.models import Company, Prospect

    for company in Company.all_objects.filter(pk__in=companies):
        management_dates_refresh(company=company)
    for prospect in Prospect.all_objects.filter(pk__in=prospects):
        management_dates_refresh(prospect=prospect)


def task_links_refresh(*, task_ids) -> None:
    """After tasks changed outside these services (restored from the trash, imported): refresh
    their colours, their opportunities' next action and the management dates they feed."""
    _after_write(task_ids)


def _contact_tasks(link: str, target):
    """The tasks of a contact type of a company or prospect (`link`: "company" or "prospect";
    `target`: one, or an OuterRef): its own and its opportunities'. Two indexed look-ups joined
    by UNION: an OR over the join to the opportunities read both tables whole (issue 20)."""
    own = Task.all_objects.filter(**{link: target}).order_by().values("pk")
    via = Task.all_objects.filter(**{f"opportunity__{link}": target}).order_by().values("pk")
    return Task.objects.filter(pk__in=own.union(via, all=True), type__is_contact=True)


def management_dates_refresh(*, company=None, prospect=None) -> None:
    """Sage's management dates, kept by the system (manual 002): first contact, last contact and
    its type, next contact and its type. A "contact" is a task of a type that counts as one
    (call, meeting, e-mail, ...); a done task counts at the earlier of its planned start and the
    moment it was marked done (a call made ahead of time is a contact of that day)."""
    if company is not None:
        contacts, target = _contact_tasks("company", company), company
    elif prospect is not None:
        contacts, target = _contact_tasks("prospect", prospect), prospect
    else:
        return
    done = [
        (min(start, done_at) if done_at else start, type_name)
        for start, done_at, type_name in contacts.filter(done=True).values_list(
            "start", "done_at", "type__name"
        )
    ]
    done.sort()
    upcoming = (
        contacts.filter(done=False)
        .order_by("start", "id")
        .values_list("start", "type__name")
        .first()
    )
    target.first_contact_at = done[0][0] if done else None
    target.last_contact_at, target.last_contact_type = done[-1] if done else (None, "")
    target.next_contact_at, target.next_contact_type = upcoming if upcoming else (None, "")
    type(target).all_objects.filter(pk=target.pk).update(
        first_contact_at=target.first_contact_at,
        last_contact_at=target.last_contact_at,
        last_contact_type=target.last_contact_type,
        next_contact_at=target.next_contact_at,
        next_contact_type=target.next_contact_type,
    )


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, actor, **fields) -> Task:
    """Create a task (and, when it repeats, its occurrences up to the horizon)."""
    task = Task(**fields)
    if task.assignee_id is None and "assignee" not in fields:
        task.assignee = actor
    task.occurrence_start = task.start if task.frequency else None
    _validate(task)
    _align_to_rule(task)
    task.touch(actor)
    task.save()
    created = []
    if task.frequency:
        created = _materialise(task, after=timezone.localtime(task.start).replace(tzinfo=None))
    _after_write([task.pk, *[occurrence.pk for occurrence in created]])
    return task


def _lock(task: Task, expected_version: int | str | None) -> Task:
    """The task locked, refused (ConcurrentEdit) unless still at `expected_version`."""
    locked = lock_row(Task.all_objects, task.pk, related=("updated_by",))
    check_version(locked, expected_version)
    return locked


@transaction.atomic
def task_update(
    *,
    task: Task,
    actor,
    scope: str = SCOPE_THIS,
    expected_version: int | str | None = None,
    **fields,
) -> Task:
    """Change a task. For an occurrence of a series, `scope` says whether the change applies to
    this occurrence only (its recurrence rule is left alone) or to it and the following ones
    (the series is cut before it and it starts a new series with the new values and rule)."""
    task = _lock(task, expected_version)
    before = _linked(Task.all_objects.select_related("opportunity").filter(pk=task.pk))
    touched: list[int] = [task.pk]
    was_recurring = task.is_recurring
    if scope != SCOPE_FOLLOWING or not was_recurring:
        if was_recurring:
            # "This one only": the rule belongs to the series, not to one occurrence.
            for name in RULE_FIELDS:
                fields.pop(name, None)
        for name, value in fields.items():
            setattr(task, name, value)
        starts_series = not was_recurring and bool(task.frequency)
        if starts_series:
            # A one-off task that now repeats becomes the first of a new series.
            task.occurrence_start = task.start
        _validate(task)
        if starts_series:
            _align_to_rule(task)
        task.touch(actor)
        task.save()
        if starts_series:
            touched += [
                o.pk
                for o in _materialise(
                    task, after=timezone.localtime(task.start).replace(tzinfo=None)
                )
            ]
        _after_write(touched, before)
        return task

    head = (
        task
        if task.series_id is None
        else Task.all_objects.select_for_update().get(pk=task.series_id)
    )
    cut_from = task.occurrence_start or task.start
    following = Task.all_objects.filter(
        series=head, done=False, occurrence_start__gt=cut_from
    ).exclude(pk=task.pk)
    touched += list(following.values_list("pk", flat=True))
    following.delete()
    if head.pk != task.pk:
        previous = (
            Task.all_objects.filter(Q(pk=head.pk) | Q(series=head), occurrence_start__lt=cut_from)
            .order_by("-occurrence_start")
            .values_list("occurrence_start", flat=True)
            .first()
        )
        head.until = (
            timezone.localtime(previous).date()
            if previous
            else timezone.localtime(head.start).date()
        )
        head.count = None
        head.touch(actor)
        head.save(update_fields=["until", "count", "updated_at", "updated_by", "version"])
        # The later occurrences already done stay in the old series, as history.
        task.series = None
        for name in RULE_FIELDS:
            setattr(task, name, getattr(head, name) if name not in ("until", "count") else None)
    for name, value in fields.items():
        setattr(task, name, value)
    task.occurrence_start = task.start if task.frequency else None
    _validate(task)
    _align_to_rule(task)
    task.touch(actor)
    task.save()
    if task.frequency:
        touched += [
            o.pk
            for o in _materialise(task, after=timezone.localtime(task.start).replace(tzinfo=None))
        ]
    _after_write(touched, before)
    return task


def _automation_run(*, task: Task, actor) -> None:
    if task.opportunity_id is None:
        return
    rules = AutomationRule.objects.filter(
        process__opportunities=task.opportunity_id,
        event=AutomationRule.Event.TASK_DONE,
        active=True,
    )
    if not rules.exists():  # most processes have none: one cheap read instead of the run
        return
    try:
        with transaction.atomic():
            automation_services.automation_run(
                opportunity=task.opportunity, event="task_done", actor=actor, task_type=task.type
            )
    except opportunity_services.MoveRefused:
        # A rule the process refuses (step-by-step mode, rights) leaves the task done.
        pass


def _management_dates_update(model, ids) -> None:
    """`management_dates_refresh` for the companies or prospects `ids` of `model`, in one
    UPDATE (the same rule, computed by subqueries) rather than three queries per record."""
    if not ids:
        return
    link = "company" if model.__name__ == "Company" else "prospect"
    # The record is two subqueries out: the UNION's parts are inside the IN of each subquery.
    contacts = _contact_tasks(link, OuterRef(OuterRef("pk")))
    done = contacts.filter(done=True).annotate(when=Least("start", Coalesce("done_at", "start")))
    first_done = done.order_by("when", "type__name")
    last_done = done.order_by("-when", "-type__name")
    upcoming = contacts.filter(done=False).order_by("start", "id")
    model.all_objects.filter(pk__in=list(ids)).update(
        first_contact_at=Subquery(first_done.values("when")[:1]),
        last_contact_at=Subquery(last_done.values("when")[:1]),
        last_contact_type=Coalesce(Subquery(last_done.values("type__name")[:1]), Value("")),
        next_contact_at=Subquery(upcoming.values("start")[:1]),
        next_contact_type=Coalesce(Subquery(upcoming.values("type__name")[:1]), Value("")),
    )


@transaction.atomic
def task_set_done(*, task: Task, done: bool, actor) -> Task:
    """Mark a task done (recording who and when) or to do again (manual 001: "A faire" /
    "Terminée"). Refreshes the colours and the opportunity's next action, the management dates,
    and runs the automation rules of the opportunity's process ("a task of a type is done").

    A few constant queries (issue 20): the row locked and written once, its colour computed
    here; the opportunity's next action, its prospect's and the management dates one UPDATE
    each (the dates only for a task of a contact type); the rules read only when the process
    has some for "task done". `task`'s loaded type and opportunity are reused."""
    locked = Task.all_objects.select_for_update().get(pk=task.pk)
    if locked.done == done:
        return locked
    for name in ("type", "opportunity"):
        field = Task._meta.get_field(name)
        if field.is_cached(task) and getattr(task, field.attname) == getattr(locked, field.attname):
            setattr(locked, name, getattr(task, name))
    before = copy.copy(locked)
    locked.done = done
    locked.done_at = timezone.now() if done else None
    locked.done_by = actor if done else None
    locked.colour = clocks.Colour.NONE if done else clocks.colour_for(locked.start)
    locked.touch(actor)
    fields = ["done", "done_at", "done_by", "colour", "updated_at", "updated_by", "version"]
    save_audited(locked, before, update_fields=fields)
    opportunities, companies, prospects = _linked([locked])
    if opportunities:
        clocks.opportunities_action_refresh(opportunities)
    if locked.type.is_contact:
        _management_dates_update(Company, companies)
        _management_dates_update(Prospect, prospects)
    if done and locked.opportunity_id:
        _automation_run(task=locked, actor=actor)
    if done:
        emit("task.done", locked, actor=actor)
    return locked


def _series_end_set(head: Task, *, until: dt.date | None, count: int | None, actor) -> None:
    """Write a series' end (with update(): the head may be in the trash), recorded in the audit
    log."""
    changes = {
        name: [str(old), str(new)]
        for name, old, new in [("until", head.until, until), ("count", head.count, count)]
        if old != new
    }
    head.until, head.count = until, count
    Task.all_objects.filter(pk=head.pk).update(until=until, count=count)
    if changes:
        audit_change(head, actor=actor, changes=changes)


@transaction.atomic
def task_delete(*, task: Task, actor, scope: str = SCOPE_THIS) -> None:
    """Put a task in the trash; with scope "following", its series' later occurrences that are
    still to do go too, and the series stops before it (what it ended on before is kept, for a
    restore to give it back: `SeriesCut`)."""
    task = Task.all_objects.select_for_update().get(pk=task.pk)
    now = timezone.now()
    ids = [task.pk]
    if scope == SCOPE_FOLLOWING and task.is_recurring:
        head = task if task.series_id is None else lock_row(Task.all_objects, task.series_id)
        cut_from = task.occurrence_start or task.start
        ids += list(
            Task.objects.filter(series=head, done=False, occurrence_start__gt=cut_from).values_list(
                "pk", flat=True
            )
        )
        previous = None
        if head.pk != task.pk:
            previous = (
                Task.all_objects.filter(
                    Q(pk=head.pk) | Q(series=head), occurrence_start__lt=cut_from
                )
                .order_by("-occurrence_start")
                .values_list("occurrence_start", flat=True)
                .first()
            )
        until = timezone.localtime(previous or head.start).date()
        SeriesCut.objects.create(
            head=head, task=task, until=head.until, count=head.count, cut_until=until
        )
        _series_end_set(head, until=until, count=None, actor=actor)
    trash_rows(Task.all_objects.filter(pk__in=ids), actor=actor, at=now)
    _after_write(ids)


def series_cuts_restore(records: list) -> None:
    """After a restore from the trash (a hook of `core.trash`): each "this and the following"
    deletion brought back gives its series the end it had before, when the series still ends
    where that deletion set it (see `SeriesCut`), and the series materialises again up to the
    horizon. The restorer is the one who brought the cut's task back."""
    task_ids = [record.pk for record in records if isinstance(record, Task)]
    if not task_ids:
        return
    cuts = SeriesCut.objects.filter(task_id__in=task_ids, restored_at__isnull=True)
    for cut in cuts.order_by("-pk"):
        head = lock_row(Task.all_objects, cut.head_id)
        if (head.until, head.count) != (cut.cut_until, None):
            # A later cut keeps the series shorter (its restore comes back through this one),
            # or its end was changed since: left as it is.
            SeriesCut.objects.filter(pk=cut.pk).update(restored_at=timezone.now())
            continue
        until, count, undone = cut.until, cut.count, [cut.pk]
        earlier = SeriesCut.objects.filter(
            head_id=head.pk, restored_at__isnull=False, pk__lt=cut.pk
        )
        for older in earlier.order_by("-pk"):
            if (until, count) != (older.cut_until, None):
                break
            until, count = older.until, older.count
            undone.append(older.pk)
        restorer = Task.all_objects.filter(pk=cut.task_id).values_list("updated_by", flat=True)
        actor = get_user_model().objects.filter(pk__in=restorer).first()
        _series_end_set(head, until=until, count=count, actor=actor)
        SeriesCut.objects.filter(pk__in=undone).delete()
        series_extend(heads=[head])
