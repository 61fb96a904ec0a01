"""The overall score and level of each snapshot in columns of their own

Revision ID: 0007_speed
Revises: 0006
Create Date: 2026-11-29 22:10:00

Results pages compare an academy with every other academy's latest submission. With
these columns beside the domain_score rows, that comparison reads narrow rows instead of
parsing every academy's frozen snapshot. Existing snapshots are filled in from their own
``result``.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_speed'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overall_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('overall_level', sa.Integer(), nullable=True))

    snapshot = sa.table(
        'assessment_snapshot',
        sa.column('id', sa.Integer()),
        sa.column('result', sa.JSON()),
        sa.column('overall_score', sa.Float()),
        sa.column('overall_level', sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(snapshot.c.id, snapshot.c.result)).all()
    for snapshot_id, result in rows:
        overall = (result or {}).get('overall') or {}
        connection.execute(
            snapshot.update()
            .where(snapshot.c.id == snapshot_id)
            .values(overall_score=overall.get('score'), overall_level=overall.get('level'))
        )


def downgrade():
    with op.batch_alter_table('assessment_snapshot', schema=None) as batch_op:
        batch_op.drop_column('overall_level')
        batch_op.drop_column('overall_score')
