"""One name for (kind, id) (issue #17): the audit log's `target_type` is `target_kind` in Python;
the column keeps its name (participation/migration_ops.py::RenameFieldKeepColumn: no SQL)."""

from tortoise import migrations

from participation.migration_ops import RenameFieldKeepColumn


class Migration(migrations.Migration):
    dependencies = [('participation', '0007_core_models')]

    initial = False

    operations = [
        RenameFieldKeepColumn('AuditLogEntry', 'target_type', 'target_kind'),
    ]
