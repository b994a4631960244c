"""What each imported prospect costs to write (issue 20): three of the prospect's seventeen
indexes go. The e-mail's `varchar_pattern_ops` copy (PostgreSQL's index for `LIKE 'x%'`, which
no query of the prospects runs: their e-mail searches are `iexact` or `icontains`); the owner's
own index, which the (owner, last name) index already leads with; and the contact-file links
(company, person) are indexed only where set, which no imported row is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_perf_contact_lists"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="prospect",
            name="company",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="prospect_files",
                to="contacts.company",
                verbose_name="company (contacts)",
            ),
        ),
        migrations.AlterField(
            model_name="prospect",
            name="email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AlterField(
            model_name="prospect",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="prospects",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AlterField(
            model_name="prospect",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="prospect_files",
                to="contacts.person",
                verbose_name="person (contacts)",
            ),
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(fields=["email"], name="prospect_email"),
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(
                condition=models.Q(("company__isnull", False)),
                fields=["company"],
                name="prospect_company_link",
            ),
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(
                condition=models.Q(("person__isnull", False)),
                fields=["person"],
                name="prospect_person_link",
            ),
        ),
    ]
