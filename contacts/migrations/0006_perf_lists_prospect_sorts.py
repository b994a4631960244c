"""The prospect list's sorts and search at 100,000 prospects (issue 20): the next action
stored on the prospect, indexes for the next-action and company sorts, and on PostgreSQL a
trigram index (pg_trgm) serving the quick search's `LIKE '%word%'` on `search_text` and the
descending next-action order. SQLite has neither and keeps its plain scans."""

from django.conf import settings
from django.db import migrations, models

TRIGRAM_INDEX = "prospect_search_trgm"
# The descending next-action sort keeps the prospects without one last (NULLS LAST), an
# order SQLite's indexes cannot state.
NEXT_ACTION_DESC_INDEX = "prospect_next_action_desc"


def add_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON contacts_prospect "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEXT_ACTION_DESC_INDEX} ON contacts_prospect "
        "(next_action_at DESC NULLS LAST, id)"
    )


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEXT_ACTION_DESC_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_third_parties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="prospect",
            name="next_action_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="next action"
            ),
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(fields=["company_name", "id"], name="prospect_company_order"),
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(fields=["next_action_at", "id"], name="prospect_next_action_order"),
        ),
        migrations.RunPython(add_postgresql_indexes, drop_postgresql_indexes, elidable=False),
    ]
