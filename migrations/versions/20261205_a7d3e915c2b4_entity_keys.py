"""api_keys.entity_id: a market entity's own key (role "entity") is bound to that entity

Revision ID: a7d3e915c2b4
Revises: f6584020bbd2
Create Date: 2026-12-05 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e915c2b4'
down_revision = 'f6584020bbd2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_keys_entity_id_entities'), 'entities', ['entity_id'], ['id'])


def downgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_entity_id_entities'), type_='foreignkey')
        batch_op.drop_column('entity_id')
