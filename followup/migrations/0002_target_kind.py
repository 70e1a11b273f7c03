"""One name for (kind, id) and one spelling of each kind (issue #17).

A commitment names what it follows `target_kind`, `target_id` in Python; the columns keep their
names (`source_kind`, `source_id`) and so does the UNIQUE constraint
(participation/migration_ops.py::RenameFieldKeepColumn: no SQL). Budget projects were stored
as `budget-project`, the only place that spelled the kind with a hyphen: rows are rewritten to
`budget_project` (links with the old spelling still filter: followup.domain.FORMER_KINDS)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from followup.domain import TargetKind
from participation.migration_ops import RenameFieldKeepColumn

SPELL = 'UPDATE "followup_commitment" SET "source_kind" = \'{new}\' WHERE "source_kind" = \'{old}\''


class Migration(migrations.Migration):
    dependencies = [('followup', '0001_initial'), ('participation', '0007_core_models')]

    initial = False

    operations = [
        RenameFieldKeepColumn(
            'Commitment',
            'source_kind',
            'target_kind',
            fields.CharEnumField(description='PROJECT: budget_project\nPROPOSAL: proposal\nCONSULTATION: consultation', enum_type=TargetKind, max_length=20),
        ),
        RenameFieldKeepColumn('Commitment', 'source_id', 'target_id'),
        ops.RunSQL(
            SPELL.format(old='budget-project', new='budget_project'),
            SPELL.format(old='budget_project', new='budget-project'),
        ),
    ]
