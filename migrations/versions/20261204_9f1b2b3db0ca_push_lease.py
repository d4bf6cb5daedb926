"""Push lease: a fencing epoch per sync target (sync_states.lease_epoch)

Every run that takes a target (the PostgreSQL advisory lock, or the SQLite lease row) adds one to
`lease_epoch` and keeps the number. Every later write of that run (claiming a batch, moving the
cursor, counting rejections, noting an error) requires the row to still carry its number, so a
run that lost its lock without noticing can never overwrite a newer run's batch or cursor.
Existing rows start at 0; the first run after the upgrade takes epoch 1.

Revision ID: 9f1b2b3db0ca
Revises: 5e0a1c2d3b4f
Create Date: 2026-12-04 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f1b2b3db0ca'
down_revision = '5e0a1c2d3b4f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_epoch', sa.BigInteger(), server_default=sa.text('0'), nullable=False))


def downgrade():
    with op.batch_alter_table('sync_states', schema=None) as batch_op:
        batch_op.drop_column('lease_epoch')
