"""sync state and dead letters (issue 5): a cursor, in-flight batch and lease per push target; rejected records

Revision ID: 1096080ed623
Revises: 8b10b141922a
Create Date: 2026-11-23 10:59:16.503543

"""
from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = '1096080ed623'
down_revision = '8b10b141922a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.drop_index('ix_change_events_record')
        batch_op.create_index('ix_change_events_record_seq', ['record_type', 'record_id', 'seq'], unique=False)

    op.create_table('sync_dead_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('rejections', sa.Integer(), nullable=False),
    sa.Column('dead', sa.Boolean(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('first_rejected_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_rejected_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dead_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_dead_letters')),
    sa.UniqueConstraint('target', 'seq', name=op.f('uq_sync_dead_letters_target_seq'))
    )
    with op.batch_alter_table('sync_dead_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_dead_letters_dead'), ['dead'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_dead_letters_target'), ['target'], unique=False)

    op.create_table('sync_states',
    sa.Column('target', sa.String(length=64), nullable=False),
    sa.Column('cursor', sa.BigInteger(), nullable=False),
    sa.Column('inflight_first', sa.BigInteger(), nullable=True),
    sa.Column('inflight_last', sa.BigInteger(), nullable=True),
    sa.Column('inflight_key', sa.String(length=200), nullable=True),
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_until', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error_at', registry.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('batches_sent', sa.BigInteger(), nullable=False),
    sa.Column('records_sent', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('target', name=op.f('pk_sync_states'))
    )


def downgrade():
    with op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.drop_index('ix_change_events_record_seq')
        batch_op.create_index('ix_change_events_record', ['record_type', 'record_id'], unique=False)

    op.drop_table('sync_states')
    with op.batch_alter_table('sync_dead_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_dead_letters_target'))
        batch_op.drop_index(batch_op.f('ix_sync_dead_letters_dead'))

    op.drop_table('sync_dead_letters')
