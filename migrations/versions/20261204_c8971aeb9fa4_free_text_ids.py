"""Free-text ID numbers: penalties.free_text_ids_cipher and list_entries.free_text_ids_cipher

A valid resident ID number (居民身份证号码) typed into a record's free text (facts, basis, content,
remarks, reasons …) is now masked on the way in (registry.services.records.protect_free_text);
the numbers as typed are kept beside the record in this nullable column, a Fernet ciphertext
(the registry's data-protection key) of a JSON map of field to numbers, for the deciding
authority alone. Existing rows get NULL: their text is not rewritten here (the key is not
available to a migration, and a rewrite would need an audit row per record).

Revision ID: c8971aeb9fa4
Revises: 7a3c51d2e9f0
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8971aeb9fa4'
down_revision = '7a3c51d2e9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_text_ids_cipher', sa.Text(), nullable=True))
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_text_ids_cipher', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_column('free_text_ids_cipher')
    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.drop_column('free_text_ids_cipher')
