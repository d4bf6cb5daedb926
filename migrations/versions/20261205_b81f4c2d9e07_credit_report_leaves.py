"""credit_reports.leaf_index: credit reports are leaves of the evidence tree beside screenings

Revision ID: b81f4c2d9e07
Revises: a7d3e915c2b4
Create Date: 2026-12-05 13:45:00.000000

Reports issued before this revision have no leaf yet; the next anchoring step appends them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b81f4c2d9e07'
down_revision = 'a7d3e915c2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('credit_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaf_index', sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_credit_reports_leaf_index'), ['leaf_index'])
        batch_op.create_index(
            'ix_credit_reports_unanchored',
            ['id'],
            unique=False,
            sqlite_where=sa.text('leaf_index IS NULL'),
            postgresql_where=sa.text('leaf_index IS NULL'),
        )


def downgrade():
    with op.batch_alter_table('credit_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_reports_unanchored')
        batch_op.drop_constraint(batch_op.f('uq_credit_reports_leaf_index'), type_='unique')
        batch_op.drop_column('leaf_index')
