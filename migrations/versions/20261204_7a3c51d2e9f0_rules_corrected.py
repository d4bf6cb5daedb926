"""Rules corrected: 所属系统, 处罚程序, publication note, the platform's repair deadline, and a list
entry's end date as its last day in force

- authorities.sector: the 系统 an authority belongs to (SAMR rules bind 市场监管 only); existing
  authorities get the one their name says (名称含“市场监督管理” → market_supervision), else other;
- penalties.procedure (简易程序 / 普通程序; NULL on old records), penalties.publication_note, and
  penalties.publication_end_as_given (an imported 公示截止期 kept as given though outside the period);
- repair_applications.platform_answer_by: the credit platform's own deadline, beside the
  deciding authority's;
- list_entries.expires_on now holds the last day in force (有效期截止日期, inclusive). It held the
  first day no longer in force, so every stored end moves one day earlier: each entry means
  what it meant before (in force on the same days). The check becomes expires_on >= listed_on.
  Each moved entry gets an audit row and an outbox event, so the chain still matches every
  record and the credit platform receives the new 有效期截止日期. (The downgrade moves the ends
  back without auditing: it is for development only.)

Revision ID: 7a3c51d2e9f0
Revises: 5d2e8a41c7b9
Create Date: 2026-12-04 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c51d2e9f0'
down_revision = '5d2e8a41c7b9'
branch_labels = None
depends_on = None

# The same words as registry.services.authorities.sector_named, frozen here as of this revision.
_SECTOR_WORDS = (
    ("市场监督管理", "market_supervision"), ("市场监管", "market_supervision"),
    ("国有资产监督管理", "state_assets"), ("国资委", "state_assets"),
    ("发展和改革", "development_reform"), ("发展改革", "development_reform"), ("发改委", "development_reform"),
    ("住房和城乡建设", "housing_construction"), ("住房城乡建设", "housing_construction"), ("住建", "housing_construction"),
    ("自然资源", "natural_resources"), ("卫生健康", "health"), ("医疗保障", "medical_security"),
    ("生态环境", "ecology_environment"), ("交通运输", "transport"), ("水利", "water"), ("财政", "finance"),
)


def _audit_the_shift() -> None:
    """Each entry whose end moved gets an audit row and an outbox event (operation "recompute"), so the
    chain still describes every record (verify-audit compares them) and the credit platform receives
    the end as the last day in force. Written with the ledger's own hashing, as of this revision."""
    import datetime as dt

    from registry.database import UTCDateTime
    from registry.ledger import GENESIS_HASH, row_hash
    from registry.models.ledger import audit_hashed_content

    bind = op.get_bind()
    entries = bind.execute(sa.text(
        "SELECT id, expires_on, version, authority_id FROM list_entries WHERE expires_on IS NOT NULL ORDER BY id"
    )).all()
    if not entries:
        return
    audit = sa.table(
        "audit_log", *(sa.column(n) for n in ("seq", "actor_key_id", "actor_name", "actor_role",
                                              "actor_authority_id", "action", "record_type", "record_id",
                                              "reason", "prev_hash", "hash")),
        sa.column("at", UTCDateTime()), sa.column("before", sa.JSON()), sa.column("after", sa.JSON()),
    )
    events = sa.table(
        "change_events", *(sa.column(n) for n in ("seq", "record_type", "record_id", "record_version",
                                                  "operation", "authority_id")),
        sa.column("occurred_at", UTCDateTime()), sa.column("payload", sa.JSON()),
    )
    counters = sa.table("ledger_counters", sa.column("name"), sa.column("value"), sa.column("last_hash"))
    audit_seq, last_hash = bind.execute(
        sa.select(counters.c.value, counters.c.last_hash).where(counters.c.name == "audit")).one()
    event_seq = bind.execute(sa.select(counters.c.value).where(counters.c.name == "outbox")).scalar_one()
    previous = last_hash or GENESIS_HASH
    at = dt.datetime.now(dt.UTC)
    for entry in entries:
        before = bind.execute(
            sa.select(audit.c.after).where(audit.c.record_type == "list_entry", audit.c.record_id == entry.id)
            .order_by(audit.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        if before is None:
            continue
        after = {**before, "expires_on": str(entry.expires_on)[:10]}
        audit_seq, event_seq = audit_seq + 1, event_seq + 1
        row = {"seq": audit_seq, "at": at, "actor_key_id": None, "actor_name": "migration 7a3c51d2e9f0",
               "actor_role": "system", "actor_authority_id": None, "action": "recompute",
               "record_type": "list_entry", "record_id": entry.id,
               "reason": "有效期截止日期 now holds the last day in force (was the first day no longer in force)",
               "before": before, "after": after, "prev_hash": previous}
        row["hash"] = previous = row_hash(audit_hashed_content(row))
        bind.execute(audit.insert().values(**row))
        bind.execute(events.insert().values(
            seq=event_seq, occurred_at=at, record_type="list_entry", record_id=entry.id,
            record_version=entry.version, operation="recompute", authority_id=entry.authority_id, payload=after))
    bind.execute(counters.update().where(counters.c.name == "audit").values(value=audit_seq, last_hash=previous))
    bind.execute(counters.update().where(counters.c.name == "outbox").values(value=event_seq))


def _shift_expiry(days: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"UPDATE list_entries SET expires_on = expires_on + ({days}) WHERE expires_on IS NOT NULL")
    else:
        op.execute(f"UPDATE list_entries SET expires_on = date(expires_on, '{days:+d} day') WHERE expires_on IS NOT NULL")


def upgrade():
    with op.batch_alter_table('authorities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sector', sa.String(length=32), server_default='other', nullable=False))
    authorities = sa.table('authorities', sa.column('id', sa.Integer), sa.column('name', sa.String),
                           sa.column('sector', sa.String))
    bind = op.get_bind()
    for authority_id, name in bind.execute(sa.select(authorities.c.id, authorities.c.name)).all():
        sector = next((s for word, s in _SECTOR_WORDS if word in name), "other")
        if sector != "other":
            bind.execute(authorities.update().where(authorities.c.id == authority_id).values(sector=sector))

    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('publication_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('publication_end_as_given', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('repair_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_answer_by', sa.Date(), nullable=True))

    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_entries_expiry_after_listing'), type_='check')
    _shift_expiry(-1)
    _audit_the_shift()
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_list_entries_expiry_after_listing'), 'expires_on IS NULL OR expires_on >= listed_on')


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_list_entries_expiry_after_listing'), type_='check')
    _shift_expiry(1)
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_list_entries_expiry_after_listing'), 'expires_on IS NULL OR expires_on > listed_on')

    with op.batch_alter_table('repair_applications', schema=None) as batch_op:
        batch_op.drop_column('platform_answer_by')

    with op.batch_alter_table('penalties', schema=None) as batch_op:
        batch_op.drop_column('publication_end_as_given')
        batch_op.drop_column('publication_note')
        batch_op.drop_column('procedure')

    if sqlite:
        # A batch rebuild of authorities trips its own parent_id key; SQLite 3.35+ drops in place.
        op.execute("ALTER TABLE authorities DROP COLUMN sector")
    else:
        op.drop_column('authorities', 'sector')
