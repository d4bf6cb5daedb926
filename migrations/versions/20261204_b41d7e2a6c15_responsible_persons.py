"""Responsible persons (失信相关人) of penalties and list entries

发改法规〔2018〕457号 names as targets of joint punishment, beside the company, the persons responsible
for its conduct (负有责任的法定代表人、自然人股东、评标评审专家及其他相关人员). Each row belongs to one
penalty or one list entry; the ID number is kept encrypted, with a keyed hash to find the person
again and the masked form readers see. Existing records name no one: nothing to fill in.

Revision ID: b41d7e2a6c15
Revises: 9f1b2b3db0ca
Create Date: 2026-12-04 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b41d7e2a6c15'
down_revision = '9f1b2b3db0ca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'responsible_persons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('penalty_id', sa.Integer(), nullable=True),
        sa.Column('list_entry_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('id_type', sa.String(length=32), nullable=True),
        sa.Column('id_number_cipher', sa.Text(), nullable=True),
        sa.Column('id_number_hash', sa.String(length=64), nullable=True),
        sa.Column('id_number_masked', sa.String(length=64), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.CheckConstraint('(penalty_id IS NULL) <> (list_entry_id IS NULL)', name=op.f('ck_responsible_persons_responsible_person_one_record')),
        sa.ForeignKeyConstraint(['list_entry_id'], ['list_entries.id'], name=op.f('fk_responsible_persons_list_entry_id_list_entries'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['penalty_id'], ['penalties.id'], name=op.f('fk_responsible_persons_penalty_id_penalties'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_responsible_persons')),
    )
    with op.batch_alter_table('responsible_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsible_persons_id_number_hash'), ['id_number_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsible_persons_list_entry_id'), ['list_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsible_persons_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsible_persons_penalty_id'), ['penalty_id'], unique=False)


def downgrade():
    op.drop_table('responsible_persons')
