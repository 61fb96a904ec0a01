"""Questionnaire versions uploaded by administrators

Revision ID: 0008_upload
Revises: 0007_moderation
Create Date: 2026-11-29 23:55:00

questionnaire_upload holds each uploaded questionnaire file (its YAML text and SHA-256),
who uploaded it and when, whether it is a draft or published, and the cycle it is for.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_upload"
down_revision = "0007_moderation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "questionnaire_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("for_cycle", sa.String(length=7), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_questionnaire_upload_uploaded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_questionnaire_upload_published_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_upload")),
    )
    op.create_index(
        op.f("ix_questionnaire_upload_status"), "questionnaire_upload", ["status"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_questionnaire_upload_status"), table_name="questionnaire_upload")
    op.drop_table("questionnaire_upload")
