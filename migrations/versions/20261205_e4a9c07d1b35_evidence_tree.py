"""Evidence tree: screenings become leaves of an RFC 9162 Merkle tree, anchored in batches

`screenings.leaf_index` is the screening's leaf, set by the anchoring step (NULL until then; the
partial index `ix_screenings_unanchored` finds the backlog). `merkle_nodes` keeps every complete
subtree's hash. The ledger counter 'evidence' holds the tree size and root of the last anchor;
its row lock keeps anchoring single-file. Existing screenings keep their audit rows and are
appended, in id order, by the first anchor after the upgrade.

Revision ID: e4a9c07d1b35
Revises: b41d7e2a6c15
Create Date: 2026-12-05 00:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e4a9c07d1b35"
down_revision = "b41d7e2a6c15"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "merkle_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_merkle_nodes")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf_index", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_screenings_leaf_index"), ["leaf_index"])
        batch_op.create_index(
            "ix_screenings_unanchored",
            ["id"],
            unique=False,
            sqlite_where=sa.text("leaf_index IS NULL"),
            postgresql_where=sa.text("leaf_index IS NULL"),
        )
    op.bulk_insert(
        sa.table(
            "ledger_counters",
            sa.column("name", sa.String),
            sa.column("value", sa.BigInteger),
            sa.column("last_hash", sa.String),
        ),
        [{"name": "evidence", "value": 0, "last_hash": None}],
    )


def downgrade():
    op.execute("DELETE FROM ledger_counters WHERE name = 'evidence'")
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index("ix_screenings_unanchored")
        batch_op.drop_constraint(batch_op.f("uq_screenings_leaf_index"), type_="unique")
        batch_op.drop_column("leaf_index")
    op.drop_table("merkle_nodes")
