"""Partner views: partners invited to an assessment, their own answers, how each
question was agreed, and the partners' views kept with each submission

Revision ID: 0007_partners
Revises: 0007_backoffice
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0007_partners"
down_revision = "0007_backoffice"
branch_labels = None
depends_on = None

PARTNER_KINDS = [
    "care_provider",
    "nhs",
    "education",
    "jobcentre",
    "voluntary",
    "lived_experience",
    "council",
    "other",
]
CONFIDENCES = ["low", "medium", "high"]


def _stamps():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade():
    op.create_table(
        "partner_respondent",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*PARTNER_KINDS, name="partner_kind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("domain_ids", sa.JSON(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("pseudonym", sa.String(length=60), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("access_key_hash", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("result_shared", sa.Boolean(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_partner_respondent_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_partner_respondent_invited_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_respondent")),
        sa.UniqueConstraint("access_key_hash", name=op.f("uq_partner_respondent_access_key_hash")),
        sa.UniqueConstraint(
            "assessment_id", "pseudonym", name=op.f("uq_partner_respondent_assessment_id_pseudonym")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_partner_respondent_token_hash")),
    )
    with op.batch_alter_table("partner_respondent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_respondent_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "partner_answer",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("not_applicable_reason", sa.Text(), nullable=True),
        sa.Column("evidence_note", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column(
            "confidence",
            sa.Enum(*CONFIDENCES, name="confidence", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["partner_respondent.id"],
            name=op.f("fk_partner_answer_respondent_id_partner_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_answer")),
        sa.UniqueConstraint(
            "respondent_id",
            "indicator_id",
            name=op.f("uq_partner_answer_respondent_id_indicator_id"),
        ),
    )
    with op.batch_alter_table("partner_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_answer_respondent_id"), ["respondent_id"], unique=False
        )

    op.create_table(
        "partner_agreement",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=80), nullable=False),
        sa.Column("source_respondent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agreed_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["agreed_by_id"],
            ["user_account.id"],
            name=op.f("fk_partner_agreement_agreed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_partner_agreement_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_respondent_id"],
            ["partner_respondent.id"],
            name=op.f("fk_partner_agreement_source_respondent_id_partner_respondent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_agreement")),
        sa.UniqueConstraint(
            "assessment_id",
            "indicator_id",
            name=op.f("uq_partner_agreement_assessment_id_indicator_id"),
        ),
    )
    with op.batch_alter_table("partner_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_agreement_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "partner_snapshot",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("partners_answered", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_partner_snapshot_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["assessment_snapshot.id"],
            name=op.f("fk_partner_snapshot_snapshot_id_assessment_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_snapshot")),
        sa.UniqueConstraint("snapshot_id", name=op.f("uq_partner_snapshot_snapshot_id")),
    )
    with op.batch_alter_table("partner_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_snapshot_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade():
    for table in ("partner_snapshot", "partner_agreement", "partner_answer", "partner_respondent"):
        op.drop_table(table)
