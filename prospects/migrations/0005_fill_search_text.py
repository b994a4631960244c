from django.db import migrations


def forwards(apps, schema_editor):
    """Prospects written before the quick search existed get their searched words."""
    from contacts.text import normalize

    Prospect = apps.get_model("prospects", "Prospect")
    batch = []
    for prospect in Prospect.objects.filter(search_text="").iterator(chunk_size=2000):
        prospect.search_text = normalize(" ".join([
            prospect.last_name, prospect.first_name, prospect.company_name, prospect.email,
            prospect.city, prospect.postal_code, prospect.phone.replace(" ", ""),
        ]))
        batch.append(prospect)
        if len(batch) >= 2000:
            Prospect.objects.bulk_update(batch, ["search_text"])
            batch = []
    Prospect.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("prospects", "0004_siren_name_index_import_job")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
