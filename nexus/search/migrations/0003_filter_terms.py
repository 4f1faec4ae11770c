from collections import defaultdict

from django.db import migrations, models

# Technologies and tags become tokens of the full-text index (SearchDocument.filter_terms), so a
# filter narrows the text match itself. SQLite: search_fts gains the column; the documents table
# is rebuilt by the new field, which drops its triggers, so every FTS table over it is recreated.
# PostgreSQL: a generated tsvector of the tokens with its own GIN index.
FTS_TABLES = {
    "search_fts": "porter unicode61 remove_diacritics 2",
    "search_title_trigram": "trigram",
}
TEXT_COLUMNS = ["title", "keywords", "body"]


def _fts(table: str, columns: list[str]) -> list[str]:
    content = "search_searchdocument"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5({cols}, content='{content}', "
        f"content_rowid='id', tokenize='{FTS_TABLES[table]}')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {content} BEGIN "
        f"INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {content} BEGIN "
        f"INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


def _drop_fts() -> list[str]:
    return [
        statement
        for table in FTS_TABLES
        for statement in (
            *(f"DROP TRIGGER IF EXISTS {table}_{suffix}" for suffix in ("ai", "ad", "au")),
            f"DROP TABLE IF EXISTS {table}",
        )
    ]


def _run(*, sqlite: list[str] = (), postgresql: list[str] = ()):
    statements = {"sqlite": list(sqlite), "postgresql": list(postgresql)}

    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def fill_filter_terms(apps, schema_editor):
    document_model = apps.get_model("search", "SearchDocument")
    term_model = apps.get_model("search", "SearchDocumentTerm")
    tokens = defaultdict(set)
    for document_id, kind, value in term_model.objects.values_list("document_id", "kind", "value"):
        tokens[document_id].add(kind[:3] + value.encode().hex())
    documents = list(document_model.objects.filter(pk__in=list(tokens)).only("pk"))
    for document in documents:
        document.filter_terms = " ".join(sorted(tokens[document.pk]))
    document_model.objects.bulk_update(documents, ["filter_terms"], batch_size=500)


SQLITE_OLD_FTS = _fts("search_fts", TEXT_COLUMNS) + _fts("search_title_trigram", ["title"])
SQLITE_NEW_FTS = _fts("search_fts", [*TEXT_COLUMNS, "filter_terms"]) + _fts(
    "search_title_trigram", ["title"]
)
POSTGRESQL_FORWARDS = [
    "ALTER TABLE search_searchdocument ADD COLUMN filter_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(filter_terms, ' '))) STORED",
    "CREATE INDEX search_document_filter_vector ON search_searchdocument "
    "USING gin (filter_vector)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS search_document_filter_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS filter_vector",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_title_vector")]

    operations = [
        migrations.RunPython(_run(sqlite=_drop_fts()), _run(sqlite=SQLITE_OLD_FTS), elidable=False),
        migrations.AddField(
            model_name="searchdocument",
            name="filter_terms",
            field=models.TextField(blank=True, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_filter_terms, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            _run(sqlite=SQLITE_NEW_FTS, postgresql=POSTGRESQL_FORWARDS),
            _run(sqlite=_drop_fts(), postgresql=POSTGRESQL_BACKWARDS),
            elidable=False,
        ),
    ]
