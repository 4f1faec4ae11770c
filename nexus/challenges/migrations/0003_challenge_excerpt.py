"""Challenge.excerpt: the body's start as plain text, which lists show instead of the body."""

from django.db import migrations, models

from nexus.challenges.rendering import excerpt

BATCH = 500


def fill_excerpts(apps, schema_editor):
    Challenge = apps.get_model("challenges", "Challenge")
    batch = []
    for challenge in Challenge.objects.only("id", "body").iterator(chunk_size=BATCH):
        challenge.excerpt = excerpt(challenge.body)
        batch.append(challenge)
        if len(batch) == BATCH:
            Challenge.objects.bulk_update(batch, ["excerpt"])
            batch = []
    Challenge.objects.bulk_update(batch, ["excerpt"])


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0002_outdated_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="challenge",
            name="excerpt",
            field=models.CharField(blank=True, max_length=240),
        ),
        migrations.RunPython(fill_excerpts, migrations.RunPython.noop, elidable=True),
    ]
