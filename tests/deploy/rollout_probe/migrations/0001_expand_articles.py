"""Expand: a nullable column and an index on knowledge_article, the hottest table the load reads
and writes, done the way an expand migration must be to run beside the old code:

- a nullable column without a default is a catalogue change: old INSERTs that do not name it
  still work, and ALTER TABLE holds its ACCESS EXCLUSIVE lock only for an instant; lock_timeout
  makes it give up rather than queue every reader behind a long transaction;
- CREATE INDEX CONCURRENTLY does not block writes (it needs a migration outside a transaction).

Reversing it (migrate rollout_probe zero) is the contract step, and the test's cleanup.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("knowledge", "0008_article_in_review")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '5s'", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "ALTER TABLE knowledge_article ADD COLUMN rollout_probe text NULL",
            reverse_sql="ALTER TABLE knowledge_article DROP COLUMN IF EXISTS rollout_probe",
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY rollout_probe_idx ON knowledge_article (rollout_probe)",
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS rollout_probe_idx",
        ),
    ]
