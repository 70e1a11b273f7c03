"""Staff invitations (issue #18, participation/people): the hashed token of a link e-mailed to
an address, the role it gives, expiry and use. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0011_site_settings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffInvitation',
            fields=[
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(max_length=254)),
                ('role', fields.CharField(max_length=16)),
                ('invited_by', fields.ForeignKeyField('participation.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('invited_by_name', fields.CharField(default='', max_length=80)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_by', fields.ForeignKeyField('participation.User', source_field='accepted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'people_invitation', 'app': 'participation', 'pk_attr': 'id'},
            bases=['HashedToken'],
        ),
    ]
