"""The privacy section of the managers' nightly digest: the prospects due for anonymisation
(no contact for RETENTION_DAYS), registered with forecasting's digest in `PrivacyConfig.ready`."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.roles import SALES_MANAGER
from forecasting.services import DigestSection
from privacy import retention

SHOWN = 20


def managers():
    return (
        get_user_model()
        .objects.filter(Q(groups__name=SALES_MANAGER) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .distinct()
    )


def retention_section(today: dt.date) -> dict[int, list]:
    """{manager id: [section]} when prospects are due, else {} (two queries)."""
    due = retention.due_prospects(today=today).order_by("pk")
    shown = list(due[: SHOWN + 1])
    if not shown:
        return {}
    count = due.count() if len(shown) > SHOWN else len(shown)
    lines = [(str(prospect), prospect.get_absolute_url()) for prospect in shown[:SHOWN]]
    title = ngettext(
        "%(count)d prospect with no contact for the retention period (to keep or anonymise)",
        "%(count)d prospects with no contact for the retention period (to keep or anonymise)",
        count,
    ) % {"count": count}
    section = DigestSection(
        title=title,
        lines=lines,
        more=_("See them all on the retention page"),
        more_path=reverse("privacy_retention"),
    )
    return {user.pk: [section] for user in managers()}
