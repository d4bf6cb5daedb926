"""api_keys.expires_at: a key may be given an end (NULL: until revoked)

Revision ID: 5d2e8a41c7b9
Revises: 6872ed9e169f
Create Date: 2026-11-23 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = '5d2e8a41c7b9'
down_revision = '6872ed9e169f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', registry.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
