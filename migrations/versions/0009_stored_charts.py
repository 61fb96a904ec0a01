"""Charts kept for good, so none is drawn twice

Revision ID: 0009_charts
Revises: 0008_upload
Create Date: 2026-11-30 01:30:00

stored_chart holds each drawn chart's SVG under the hash of what it shows (its key) and
the hash of the SVG itself (its address).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_charts"
down_revision = "0008_upload"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_chart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("svg", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_chart")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_chart_key")),
    )
    op.create_index(op.f("ix_stored_chart_digest"), "stored_chart", ["digest"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_stored_chart_digest"), table_name="stored_chart")
    op.drop_table("stored_chart")
