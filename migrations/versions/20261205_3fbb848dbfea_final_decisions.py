"""Final decisions (最终处理意见): an agency's decision on a bidder after a false positive

One row per decision recorded on a bidder of a screening (the latest is in force, the earlier stay
on record), kept beside the screening's digested document, never in it.

Revision ID: 3fbb848dbfea
Revises: 90a1fffa98b5
Create Date: 2026-12-05 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = "3fbb848dbfea"
down_revision = "90a1fffa98b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "final_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("subject_index", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_final_decisions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_final_decisions_api_key_id_api_keys")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screenings.id"], name=op.f("fk_final_decisions_screening_id_screenings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_decisions")),
    )
    op.create_index("ix_final_decisions_screening", "final_decisions", ["screening_id", "subject_index"], unique=False)


def downgrade():
    op.drop_index("ix_final_decisions_screening", table_name="final_decisions")
    op.drop_table("final_decisions")
