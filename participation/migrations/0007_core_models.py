"""Shared models move into the core (issue #17), state only: no table, column, index or row
changes (participation/migration_ops.py::MoveModel). The tables keep their names.

- moderation.AuditLogEntry -> participation.AuditLogEntry (participation/audit.py)
"""

from tortoise import migrations

from participation.migration_ops import MoveModel


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0006_notification_facts"),
        ("moderation", "0002_reason_templates"),
    ]

    initial = False

    operations = [
        MoveModel("AuditLogEntry", from_app="moderation"),
    ]
