"""One name for (kind, id) (issue #17): an indicator set names its process `target_kind`,
`target_id` in Python; the columns keep their names (`process_kind`, `process_id`), and so
does the UNIQUE constraint (participation/migration_ops.py::RenameFieldKeepColumn: no SQL)."""

from tortoise import migrations

from participation.migration_ops import RenameFieldKeepColumn


class Migration(migrations.Migration):
    dependencies = [('indicators', '0001_initial'), ('participation', '0007_core_models')]

    initial = False

    operations = [
        RenameFieldKeepColumn('IndicatorSet', 'process_kind', 'target_kind'),
        RenameFieldKeepColumn('IndicatorSet', 'process_id', 'target_id'),
    ]
