from django.db import migrations, models

from nexus.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("accounts", "0005_names_for_apis")]

    operations = [
        AddIndexOnline(
            model_name="user",
            index=models.Index(fields=["date_joined"], name="accounts_user_joined"),
        ),
    ]
