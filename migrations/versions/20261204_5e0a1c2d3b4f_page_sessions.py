"""page_sessions: a signed-in page session, ended on sign-out, so a replayed cookie is refused

Revision ID: 5e0a1c2d3b4f
Revises: c8971aeb9fa4
Create Date: 2026-12-04 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = '5e0a1c2d3b4f'
down_revision = 'c8971aeb9fa4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('started_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_page_sessions_api_key_id_api_keys'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_page_sessions')),
    )
    with op.batch_alter_table('page_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_sessions_api_key_id'), ['api_key_id'], unique=False)


def downgrade():
    with op.batch_alter_table('page_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_sessions_api_key_id'))
    op.drop_table('page_sessions')
