"""Indexes the prospect import paid for on every written row without any query needing them
(issue 20): each is served by a composite index that leads with the same column.

- opportunity.status and its LIKE copy (status_like): the (status, expected_date) index;
- opportunity.process: the (process, status, step, position) index;
- the LIKE copies of opportunity.step_colour and action_colour (nothing filters them with LIKE):
  the plain equality indexes stay, declared in Meta (rebuilt here under new names);
- historyentry.opportunity: the history_opp_kind_at index.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_prospect_import_write_cost"),
        ("pipeline", "0009_icons_admin_task_type_icons"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="historyentry",
            name="opportunity",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="history",
                to="pipeline.opportunity",
            ),
        ),
        migrations.AlterField(
            model_name="opportunity",
            name="action_colour",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "none"),
                    ("green", "on time"),
                    ("orange", "due today"),
                    ("red", "late"),
                ],
                max_length=6,
            ),
        ),
        migrations.AlterField(
            model_name="opportunity",
            name="process",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="opportunities",
                to="pipeline.process",
                verbose_name="process",
            ),
        ),
        migrations.AlterField(
            model_name="opportunity",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "open"),
                    ("won", "won"),
                    ("lost", "lost"),
                    ("inactive", "inactive"),
                ],
                default="open",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="opportunity",
            name="step_colour",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "none"),
                    ("green", "on time"),
                    ("orange", "due today"),
                    ("red", "late"),
                ],
                max_length=6,
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(fields=["step_colour"], name="opportunity_step_colour"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(fields=["action_colour"], name="opportunity_action_colour"),
        ),
    ]
