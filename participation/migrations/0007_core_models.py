"""Shared models move into the core (issue #17), state only: no table, column, index or row
changes (participation/migration_ops.py::MoveModel). The tables keep their names.

- moderation.AuditLogEntry -> participation.AuditLogEntry (participation/audit.py)
- budgets.CensusEntry, budgets.Residency -> participation.CensusEntry, participation.Residency
  (participation/residents/models.py); budgets.VoterRegister's foreign key follows
"""

from tortoise import migrations

from participation.migration_ops import MoveModel


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0006_notification_facts"),
        ("moderation", "0002_reason_templates"),
        ("budgets", "0003_sealed_ballots"),
    ]

    initial = False

    operations = [
        MoveModel("AuditLogEntry", from_app="moderation"),
        MoveModel("CensusEntry", from_app="budgets"),  # first: Residency points at it
        MoveModel("Residency", from_app="budgets"),
    ]
