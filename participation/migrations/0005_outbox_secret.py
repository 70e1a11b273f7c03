"""Secret links of e-mails waiting in the outbox are encrypted (issue #16): a `secret` column.
The bodies of e-mails already sent lose their reset and confirmation links here (the link is
in the recipient's mailbox; an audit needs to know that it was sent, not what it opened).
E-mails still unsent keep theirs until sent, as before; reset links expire after one hour."""

import re

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

LINK = re.compile(r"\S*/account/(?:reset|confirm)/\S+")
REMOVED = "[lien retiré après l'envoi / link removed once sent]"


async def remove_sent_links(apps, schema_editor):
    client = schema_editor.client
    mark = "$1" if client.capabilities.dialect == "postgres" else "?"
    mark2 = "$2" if client.capabilities.dialect == "postgres" else "?"
    _, rows = await client.execute_query(
        'SELECT "id", "body" FROM "mail_outbox" WHERE "sent_at" IS NOT NULL '
        "AND (\"body\" LIKE '%/account/reset/%' OR \"body\" LIKE '%/account/confirm/%')"
    )
    for row in rows:
        await client.execute_query(
            f'UPDATE "mail_outbox" SET "body" = {mark} WHERE "id" = {mark2}',
            [LINK.sub(REMOVED, str(row["body"])), row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [("participation", "0004_account_deletion")]

    initial = False

    operations = [
        ops.AddField(
            model_name="OutboxEmail",
            name="secret",
            field=fields.BinaryField(null=True),
        ),
        ops.RunPython(remove_sent_links, ops.RunPython.noop),
    ]
