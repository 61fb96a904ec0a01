"""The back office: cancelled invitations, archived organisations, withdrawn open data,
assessment windows and their deadline reminders

Revision ID: 0007_backoffice
Revises: 0007_speed
Create Date: 2026-11-29 22:10:00

An invitation can be cancelled before it is accepted (``account_token.cancelled_at``);
``used_at`` is set as well, so the link stops working like any used link. An archived
organisation (``organisation.archived_at``) keeps its history but leaves current figures.
A published open data file can be withdrawn, with the reason shown on the public page.
An assessment window opens a cycle (nationally or for a region) until a deadline; each
reminder email about a deadline is recorded so that none is sent twice.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_backoffice'
down_revision = "0007_speed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_window',
    sa.Column('cycle', sa.String(length=7), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=40), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_assessment_window_opened_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_assessment_window_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_window')),
    sa.UniqueConstraint('cycle', 'region_id', name=op.f('uq_assessment_window_cycle_region_id'))
    )
    op.create_table('deadline_reminder',
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_deadline_reminder_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_deadline_reminder_user_id_user_account')),
    sa.ForeignKeyConstraint(['window_id'], ['assessment_window.id'], name=op.f('fk_deadline_reminder_window_id_assessment_window')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminder')),
    sa.UniqueConstraint('window_id', 'organisation_id', 'user_id', 'days_before', name='uq_deadline_reminder_once')
    )
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_reminder_window_id'), ['window_id'], unique=False)

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
    with op.batch_alter_table('deadline_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reminder_window_id'))
    op.drop_table('deadline_reminder')
    op.drop_table('assessment_window')
    with op.batch_alter_table('open_data_release', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_open_data_release_withdrawn_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
