from django.db import migrations

# The database's own guards on the ledger, below ledger_move's lock and check: whatever writes a
# row (a service, a shell, a script past the ORM), no account but the outside world ever goes
# below zero, and an entry once written is never changed or removed (a correction is a new
# movement). PostgreSQL locks the source account's row in the trigger too, so two inserts racing
# past the service are serialised and the second sees the first. Row-level triggers do not fire
# on TRUNCATE, so emptying a test database still works.
POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION payments_entry_no_overdraft() RETURNS trigger AS $$
    DECLARE
        source_kind varchar;
        available numeric;
    BEGIN
        SELECT kind INTO source_kind FROM payments_ledgeraccount WHERE id = NEW.source_id;
        IF source_kind = 'world' THEN
            RETURN NEW;
        END IF;
        PERFORM 1 FROM payments_ledgeraccount WHERE id = NEW.source_id FOR UPDATE;
        SELECT COALESCE(SUM(amount) FILTER (WHERE destination_id = NEW.source_id), 0)
             - COALESCE(SUM(amount) FILTER (WHERE source_id = NEW.source_id), 0)
          INTO available
          FROM payments_ledgerentry
         WHERE destination_id = NEW.source_id OR source_id = NEW.source_id;
        IF available < NEW.amount THEN
            RAISE EXCEPTION 'ledger account % holds %, % needed', NEW.source_id, available,
                NEW.amount USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER payments_entry_no_overdraft BEFORE INSERT ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION payments_entry_no_overdraft()
    """,
    """
    CREATE OR REPLACE FUNCTION payments_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger entries are append-only: post a correcting movement instead'
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER payments_entry_append_only BEFORE UPDATE OR DELETE ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION payments_entry_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS payments_entry_append_only ON payments_ledgerentry",
    "DROP FUNCTION IF EXISTS payments_entry_append_only()",
    "DROP TRIGGER IF EXISTS payments_entry_no_overdraft ON payments_ledgerentry",
    "DROP FUNCTION IF EXISTS payments_entry_no_overdraft()",
]

# SQLite stores decimals as floating point: the balance is compared rounded to the cent. SQLite
# guards overdrafts and updates but not deletes: Django empties an SQLite test database with
# DELETE (PostgreSQL's TRUNCATE fires no row trigger), and no trigger can tell that from a delete
# that matters. SQLite is the embedded single-process mode; PostgreSQL, where money is real,
# refuses both.
SQLITE = [
    """
    CREATE TRIGGER payments_entry_no_overdraft BEFORE INSERT ON payments_ledgerentry
    WHEN (SELECT kind FROM payments_ledgeraccount WHERE id = NEW.source_id) <> 'world'
    BEGIN
        SELECT RAISE(ABORT, 'ledger account would go below zero')
         WHERE ROUND(
                 (SELECT COALESCE(SUM(amount), 0) FROM payments_ledgerentry
                   WHERE destination_id = NEW.source_id)
               - (SELECT COALESCE(SUM(amount), 0) FROM payments_ledgerentry
                   WHERE source_id = NEW.source_id)
               - NEW.amount, 2) < 0;
    END
    """,
    """
    CREATE TRIGGER payments_entry_no_update BEFORE UPDATE ON payments_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'ledger entries are append-only: post a correcting movement instead');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS payments_entry_no_overdraft",
    "DROP TRIGGER IF EXISTS payments_entry_no_update",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
