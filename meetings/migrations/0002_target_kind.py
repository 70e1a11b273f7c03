"""One name for (kind, id) (issue #17): a meeting's outcome says `target_kind` in Python, like
every other row about a thing of some kind; the column keeps its name, `kind`, like theirs
(participation/migration_ops.py::RenameFieldKeepColumn: no SQL, the UNIQUE constraint and the
index stay as they are)."""

from tortoise import migrations

from participation.migration_ops import RenameFieldKeepColumn


class Migration(migrations.Migration):
    dependencies = [('meetings', '0001_initial')]

    initial = False

    operations = [
        RenameFieldKeepColumn('Outcome', 'kind', 'target_kind'),
    ]
