"""Participatory spaces (issue #18): a consultation may belong to a space (a nullable foreign key;
a space holding it cannot be deleted). The consultations that exist go into the default space,
« Démarche générale », created by the first feature migration that has rows
(participation/migration_ops.py: `space_column`, `into_default_space`, `AddForeignKey`)."""

from tortoise import migrations

from participation.migration_ops import space_column


class Migration(migrations.Migration):
    dependencies = [('consultations', '0003_sealed_answers'), ('participation', '0010_spaces')]

    initial = False

    operations = space_column('Consultation', 'consultations_consultation')
