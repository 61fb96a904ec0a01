"""The back office: cancelled invitations, archived organisations, withdrawn open data

Revision ID: 0007_backoffice
Revises: 0007_speed
Create Date: 2026-11-29 22:10:00

An invitation can be cancelled before it is accepted (``account_token.cancelled_at``);
``used_at`` is set as well, so the link stops working like any used link. An archived
organisation (``organisation.archived_at``) keeps its history but leaves current figures.
A published open data file can be withdrawn, with the reason shown on the public page.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_backoffice'
down_revision = "0007_speed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('open_data_release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_open_data_release_withdrawn_by_id_user_account'), 'user_account', ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('open_data_release', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_open_data_release_withdrawn_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
