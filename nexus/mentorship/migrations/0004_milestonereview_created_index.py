from django.db import migrations, models

from nexus.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("mentorship", "0003_article_reviews")]

    operations = [
        AddIndexOnline(
            model_name="milestonereview",
            index=models.Index(fields=["created_at"], name="mentorship_msreview_created"),
        ),
    ]
