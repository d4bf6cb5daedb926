"""plain index on entities.uscc: SQLite cannot use the partial unique index for `uscc = ?`

Revision ID: 6872ed9e169f
Revises: 1096080ed623
Create Date: 2026-11-23 13:11:28.596250

"""
from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = '6872ed9e169f'
down_revision = '1096080ed623'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.create_index('ix_entities_uscc', ['uscc'], unique=False)



def downgrade():
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_index('ix_entities_uscc')

