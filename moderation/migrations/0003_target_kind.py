"""One name for (kind, id) (issue #17): reports, cases and decisions name what they are about
`target_kind`, `target_id` (and `target_title`) in Python; the columns keep their names
(`content_type`, `content_id`, `content_title`) and so do the UNIQUE constraints
(participation/migration_ops.py::RenameFieldKeepColumn: no SQL)."""

from tortoise import migrations

from participation.migration_ops import RenameFieldKeepColumn


class Migration(migrations.Migration):
    dependencies = [('moderation', '0002_reason_templates'), ('participation', '0007_core_models')]

    initial = False

    operations = [
        RenameFieldKeepColumn(model, old, new)
        for model in ('ModerationCase', 'Report', 'ModerationDecision')
        for old, new in (('content_type', 'target_kind'), ('content_id', 'target_id'))
    ] + [RenameFieldKeepColumn('ModerationDecision', 'content_title', 'target_title')]
