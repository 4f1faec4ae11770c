from django.db import migrations

# PostgreSQL only: the title alone as a tsvector with its own GIN index. Title candidates are
# found through it (see backends/postgres.py): checking a short vector is cheap, where checking
# weight A inside the full vector means decompressing every position of every word.
FORWARDS = [
    "ALTER TABLE search_searchdocument ADD COLUMN title_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, coalesce(title, ''))) STORED",
    "CREATE INDEX search_document_title_vector ON search_searchdocument USING gin (title_vector)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS search_document_title_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARDS), _run(BACKWARDS), elidable=False)]
