"""Personal accounts: people sign in with their own account; every audit row names the person

- accounts (个人账户): 登录名 unique whatever its case (login_key, in lower case), 姓名, role, the
  authority (supervisors) or agency (screeners), an Argon2id password hash, an optional sealed TOTP
  secret, status, failed sign-ins and the lock, when the password was changed;
- sign_in_failures: failed sign-ins under names no account has, counted the same way, so the
  lockout does not tell whether a name exists;
- page_sessions: a session belongs to an account or to an API key (one of the two), and records
  when it was last seen (idle expiry);
- audit_log.actor_account_id: the account of the person who acted. It is hashed only when set, so
  every row written before keeps its hash and the chain stays verifiable.

The downgrade is for development only: it deletes the accounts' page sessions, and audit rows
written for accounts lose actor_account_id (their hashes no longer match).

Revision ID: 90a1fffa98b5
Revises: e4a9c07d1b35
Create Date: 2026-12-05 05:25:20.279682

"""
from alembic import op
import sqlalchemy as sa

import registry.database


# revision identifiers, used by Alembic.
revision = '90a1fffa98b5'
down_revision = 'e4a9c07d1b35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_failures',
        sa.Column('login_key', sa.String(length=64), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('locked_until', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('login_key', name=op.f('pk_sign_in_failures')),
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_last_failed_at'), ['last_failed_at'], unique=False)

    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('login_key', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('manages_accounts', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=True),
        sa.Column('screening_key_id', sa.Integer(), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('password_changed_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('totp_sealed', sa.Text(), nullable=True),
        sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
        sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
        sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_failed_at', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('locked_until', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_sign_in_at', registry.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', registry.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint("(role = 'supervisor') = (authority_id IS NOT NULL)",
                           name=op.f('ck_accounts_authority_for_supervisors_only')),
        sa.CheckConstraint("NOT manages_accounts OR role = 'supervisor'",
                           name=op.f('ck_accounts_managers_are_supervisors')),
        sa.CheckConstraint("role != 'screener' OR organisation IS NOT NULL",
                           name=op.f('ck_accounts_screener_has_organisation')),
        sa.CheckConstraint("role IN ('admin', 'supervisor', 'screener', 'platform')",
                           name=op.f('ck_accounts_role_known')),
        sa.CheckConstraint("status IN ('active', 'disabled')", name=op.f('ck_accounts_status_known')),
        sa.ForeignKeyConstraint(['authority_id'], ['authorities.id'], name=op.f('fk_accounts_authority_id_authorities')),
        sa.ForeignKeyConstraint(['screening_key_id'], ['api_keys.id'],
                                name=op.f('fk_accounts_screening_key_id_api_keys')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
        sa.UniqueConstraint('login_key', name=op.f('uq_accounts_login_key')),
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_authority_id'), ['authority_id'], unique=False)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_account_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('page_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_seen_at', registry.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('api_key_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_page_sessions_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_page_sessions_account_id_accounts'), 'accounts', ['account_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_page_sessions_one_holder'),
                                         '(api_key_id IS NULL) != (account_id IS NULL)')


def downgrade():
    op.execute("DELETE FROM page_sessions WHERE account_id IS NOT NULL")
    with op.batch_alter_table('page_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_page_sessions_one_holder'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_page_sessions_account_id_accounts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_page_sessions_account_id'))
        batch_op.alter_column('api_key_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('account_id')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('actor_account_id')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_authority_id'))
    op.drop_table('accounts')
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_last_failed_at'))
    op.drop_table('sign_in_failures')
