"""Retention of the prospect file, as the CNIL recommends for B2B prospecting: the data of a
prospect with no contact for RETENTION_DAYS (3 years by default) is no longer kept.

A contact is anything that shows a relation still alive, the latest of: the prospect's creation,
its `last_contact_at` (kept up to date from tasks), a done task (on it or its opportunities), a
note on it, an e-mail filed on it or its opportunities, a quote of its opportunities, an
opportunity won, and a manager's decision to keep it (`RetentionHold`). A prospect whose
company is a customer is never due. One query decides for the whole file: NOT EXISTS
subqueries on indexed foreign keys, so 100,000 prospects are sorted out by the database.

Due prospects are listed on /privacy/retention/ and in the managers' nightly digest; those still
due RETENTION_GRACE_DAYS later are anonymised by the nightly job (`retention_run`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contacts.models import Company, Note, Prospect
from mail.models import MessageLink
from pipeline.models import Opportunity, Task
from privacy.models import PrivacyLog, RetentionHold
from quotes.models import Quote


def cutoff(*, today: dt.date, days: int) -> dt.datetime:
    """The start of the day `days` before `today`, local time: a contact since then counts."""
    day = today - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _contact_sources(since: dt.datetime) -> list:
    """One EXISTS per kind of contact since `since`, for a prospect (OuterRef "pk")."""
    prospect_type = ContentType.objects.get_for_model(Prospect)
    return [
        Exists(Task.all_objects.filter(prospect=OuterRef("pk"), done=True, done_at__gte=since)),
        Exists(
            Task.all_objects.filter(
                opportunity__prospect=OuterRef("pk"), done=True, done_at__gte=since
            )
        ),
        Exists(
            Note.objects.filter(
                content_type=prospect_type, object_id=OuterRef("pk"), created_at__gte=since
            )
        ),
        Exists(MessageLink.objects.filter(prospect=OuterRef("pk"), message__sent_at__gte=since)),
        Exists(
            MessageLink.objects.filter(
                opportunity__prospect=OuterRef("pk"), message__sent_at__gte=since
            )
        ),
        Exists(Quote.objects.filter(opportunity__prospect=OuterRef("pk"), created_at__gte=since)),
        Exists(
            Opportunity.all_objects.filter(
                prospect=OuterRef("pk"),
                status=Opportunity.Status.WON,
                closing_date__gte=since.date(),
            )
        ),
        Exists(RetentionHold.objects.filter(prospect=OuterRef("pk"), kept_at__gte=since)),
    ]


def anonymised_ids() -> QuerySet:
    return PrivacyLog.objects.filter(
        kind=PrivacyLog.Kind.PROSPECT,
        action__in=[PrivacyLog.Action.ERASE, PrivacyLog.Action.ANONYMISE],
    ).values("object_id")


def prospects_without_contact(*, today: dt.date, days: int) -> QuerySet:
    """The prospects (not in the trash, not anonymised yet) with no contact for `days` days
    before `today`, whose company is not a customer."""
    since = cutoff(today=today, days=days)
    queryset = (
        Prospect.objects.filter(created_at__lt=since)
        .filter(Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=since))
        .exclude(company__kind=Company.Kind.CUSTOMER)
        .exclude(pk__in=anonymised_ids())
    )
    for source in _contact_sources(since):
        queryset = queryset.exclude(source)
    return queryset


def due_prospects(*, today: dt.date | None = None) -> QuerySet:
    """Listed: no contact for RETENTION_DAYS."""
    return prospects_without_contact(
        today=today or timezone.localdate(), days=settings.RETENTION_DAYS
    )


def expired_prospects(*, today: dt.date | None = None) -> QuerySet:
    """Anonymised tonight: no contact for RETENTION_DAYS + RETENTION_GRACE_DAYS."""
    return prospects_without_contact(
        today=today or timezone.localdate(),
        days=settings.RETENTION_DAYS + settings.RETENTION_GRACE_DAYS,
    )


def with_last_contact(queryset: QuerySet) -> QuerySet:
    """`queryset` annotated with `last_contact` (the latest contact of any kind, the creation
    at least): for the rows of a page, one correlated subquery per kind."""
    prospect_type = ContentType.objects.get_for_model(Prospect)
    subqueries = [
        Task.all_objects.filter(prospect=OuterRef("pk"), done=True)
        .values("prospect")
        .annotate(m=Max("done_at"))
        .values("m"),
        Task.all_objects.filter(opportunity__prospect=OuterRef("pk"), done=True)
        .values("opportunity__prospect")
        .annotate(m=Max("done_at"))
        .values("m"),
        Note.objects.filter(content_type=prospect_type, object_id=OuterRef("pk"))
        .values("object_id")
        .annotate(m=Max("created_at"))
        .values("m"),
        MessageLink.objects.filter(prospect=OuterRef("pk"))
        .values("prospect")
        .annotate(m=Max("message__sent_at"))
        .values("m"),
        Quote.objects.filter(opportunity__prospect=OuterRef("pk"))
        .values("opportunity__prospect")
        .annotate(m=Max("created_at"))
        .values("m"),
        RetentionHold.objects.filter(prospect=OuterRef("pk"))
        .values("prospect")
        .annotate(m=Max("kept_at"))
        .values("m"),
    ]
    created = F("created_at")
    parts = [Coalesce(F("last_contact_at"), created)]
    parts += [
        # order_by(): a model's default ordering would join the GROUP BY and split the rows.
        Coalesce(Subquery(sub.order_by(), output_field=DateTimeField()), created)
        for sub in subqueries
    ]
    return queryset.annotate(last_contact=Greatest(created, *parts))


def anonymisation_day(last_contact: dt.datetime) -> dt.date:
    """The first night a prospect last contacted at `last_contact` is anonymised."""
    days = settings.RETENTION_DAYS + settings.RETENTION_GRACE_DAYS
    return timezone.localtime(last_contact).date() + dt.timedelta(days=days + 1)
