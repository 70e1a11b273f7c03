from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0009_site_pages')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Provider',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=80)),
                ('issuer', fields.CharField(max_length=300)),
                ('client_id', fields.CharField(max_length=200)),
                ('client_secret_box', fields.BinaryField()),
                ('scopes', fields.CharField(default='openid email', max_length=300)),
                ('acr_values', fields.CharField(default='', max_length=100)),
                ('for_residents', fields.BooleanField(default=True)),
                ('for_staff', fields.BooleanField(default=False)),
                ('enabled', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'oidc_provider', 'app': 'oidc', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Link',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.ForeignKeyField('oidc.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=255)),
                ('acr', fields.CharField(default='', max_length=100)),
                ('eidas_level', fields.CharField(default='', max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oidc_link', 'app': 'oidc', 'unique_together': (('provider', 'subject'), ('provider', 'user')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PendingLink',
            fields=[
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.ForeignKeyField('oidc.Provider', source_field='provider_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=255)),
                ('acr', fields.CharField(default='', max_length=100)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oidc_pending_link', 'app': 'oidc', 'pk_attr': 'id'},
            bases=['HashedToken'],
        ),
    ]
