"""Fill the prospects' stored next action (contacts 0006) from their open opportunities, as
`pipeline.clocks.prospects_next_action_refresh` keeps it from now on."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def fill(apps, schema_editor):
    Prospect = apps.get_model("contacts", "Prospect")
    Opportunity = apps.get_model("pipeline", "Opportunity")
    earliest = (
        Opportunity.objects.filter(prospect=OuterRef("pk"), status="open", deleted_at__isnull=True)
        .order_by()
        .values("prospect")
        .annotate(first=Min("next_action_at"))
        .values("first")
    )
    Prospect.objects.filter(opportunities__isnull=False).distinct().update(
        next_action_at=Subquery(earliest)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_perf_lists_prospect_sorts"),
        ("pipeline", "0007_email_events"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
