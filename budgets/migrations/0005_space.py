"""Participatory spaces (issue #18): a budget may belong to a space (a nullable foreign key;
a space holding it cannot be deleted). The budgets that exist go into the default space,
« Démarche générale », created by the first feature migration that has rows
(participation/migration_ops.py: `space_column`, `into_default_space`, `AddForeignKey`)."""

from tortoise import migrations

from participation.migration_ops import space_column


class Migration(migrations.Migration):
    dependencies = [('budgets', '0004_trustee_kept'), ('participation', '0010_spaces')]

    initial = False

    operations = space_column('Budget', 'budgets_budget')
