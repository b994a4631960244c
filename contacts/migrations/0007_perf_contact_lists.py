"""The company and person lists at 100,000 prospects (issue 20): indexes in each list's order,
and on PostgreSQL trigram indexes (pg_trgm) serving the person quick search's `icontains` on
the names and e-mail and on the names of the person's companies. `icontains` is
`UPPER(col::text) LIKE UPPER('%word%')` there, hence the indexed expressions. SQLite has no
trigram index and keeps its plain scans."""

from django.db import migrations, models

PERSON_TRIGRAM_INDEX = "person_search_trgm"
COMPANY_TRIGRAM_INDEX = "company_name_trgm"


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # One GIN index over the three fields: the search's OR reads it three times (BitmapOr).
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PERSON_TRIGRAM_INDEX} ON contacts_person USING gin "
        "(upper(last_name::text) gin_trgm_ops, upper(first_name::text) gin_trgm_ops, "
        "upper(email::text) gin_trgm_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {COMPANY_TRIGRAM_INDEX} ON contacts_company USING gin "
        "(upper(name::text) gin_trgm_ops)"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PERSON_TRIGRAM_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {COMPANY_TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_perf_lists_prospect_sorts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["name", "id"], name="company_name_order"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["last_name", "first_name", "id"], name="person_name_order"),
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
