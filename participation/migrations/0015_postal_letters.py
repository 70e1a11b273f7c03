"""Postal letters and identity-provider birth dates (issue #19): the address a resident gives
for a letter, the hashed one-time code of their last printed letter, a birth date vouched for by
an identity provider. Written by `participation makemigrations`."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('participation', '0014_verification_methods')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BirthDateClaim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name='birth_date_claim', on_delete=OnDelete.CASCADE)),
                ('birth_date', fields.DateField()),
                ('source', fields.CharField(max_length=100)),
                ('claimed_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'residents_birth_date_claim', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LetterCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name='letter_code', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('printed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'residents_letter_code', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostalAddress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.OneToOneField('participation.User', source_field='user_id', db_constraint=True, to_field='id', related_name='postal_address', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.CharField(max_length=100)),
                ('street', fields.CharField(max_length=200)),
                ('complement', fields.CharField(default='', max_length=200)),
                ('postcode', fields.CharField(max_length=10)),
                ('city', fields.CharField(max_length=100)),
                ('district', fields.CharField(max_length=100)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'residents_postal_address', 'app': 'participation', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
