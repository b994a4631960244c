"""Optional links stay optional on every page: a record without owner, author, assignee or
step (an import without owner, a deleted user, data from before the steps) shows "—" or
nothing, never a 500. Every GET answer of the project is walked as a manager and as a rep."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from pipeline.models import Opportunity
from tests.trust.test_url_walk import answers

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "contacts", "core", "pipeline", "prospects", "forecasting"}


def unlink_users() -> list[str]:
    """Set every nullable link to a user to NULL, in every table of the project."""
    cleared = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.null
                and field.related_model._meta.label == settings.AUTH_USER_MODEL
            ):
                model._base_manager.update(**{field.name: None})
                cleared.append(f"{model._meta.label}.{field.name}")
    return cleared


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_no_page_fails_on_records_without_owner_author_or_step(request, client, world, who):
    cleared = unlink_users()
    assert "contacts.Company.owner" in cleared and "pipeline.Task.assignee" in cleared
    Opportunity.all_objects.filter(pk=world.opportunity.pk).update(step=None)
    client.force_login(request.getfixturevalue(who))
    errors = [f"{name} {url}: {status}" for name, url, status, _text in answers(client, world)]
    errors = [e for e in errors if e.endswith(": 500")]
    assert errors == [], "\n".join(errors)
