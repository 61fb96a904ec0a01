"""Moderation of submitted assessments and peer introductions

Revision ID: 0007_moderation
Revises: 0007_partners
Create Date: 2026-11-29 22:20:00

An academy opts in to moderate (peer_moderator); a submitted assessment is put to its
regional lead or such a peer (moderation), each section reviewed and each challenge
answered (moderation_review); an academy asks to be introduced to another's lead
(introduction).
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0007_moderation"
down_revision = "0007_partners"
branch_labels = None
depends_on = None


def _common():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]



def upgrade():
    op.create_table(
        "peer_moderator",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("opted_in_by_id", sa.Integer(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(["opted_in_by_id"], ["user_account.id"], name=op.f("fk_peer_moderator_opted_in_by_id_user_account")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_peer_moderator_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_moderator")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_peer_moderator_organisation_id")),
    )
    op.create_table(
        "moderation",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("moderator_region_id", sa.Integer(), nullable=True),
        sa.Column("moderator_organisation_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum("requested", "responding", "moderated", name="moderation_status", native_enum=False, length=32), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name=op.f("fk_moderation_assessment_id_assessment")),
        sa.ForeignKeyConstraint(["moderator_organisation_id"], ["organisation.id"], name=op.f("fk_moderation_moderator_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["moderator_region_id"], ["region.id"], name=op.f("fk_moderation_moderator_region_id_region")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_moderation_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"], name=op.f("fk_moderation_requested_by_id_user_account")),
        sa.ForeignKeyConstraint(["snapshot_id"], ["assessment_snapshot.id"], name=op.f("fk_moderation_snapshot_id_assessment_snapshot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation")),
    )
    with op.batch_alter_table("moderation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_moderation_moderator_organisation_id"), ["moderator_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_moderation_moderator_region_id"), ["moderator_region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_moderation_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "moderation_review",
        sa.Column("moderation_id", sa.Integer(), nullable=False),
        sa.Column("domain_id", sa.String(length=80), nullable=False),
        sa.Column("domain_title", sa.String(length=200), nullable=False),
        sa.Column("submitted_level", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.Enum("agreed", "challenged", name="moderation_verdict", native_enum=False, length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("expected_level", sa.Integer(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Enum("accepted", "explained", name="challenge_response", native_enum=False, length=32), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(["moderation_id"], ["moderation.id"], name=op.f("fk_moderation_review_moderation_id_moderation")),
        sa.ForeignKeyConstraint(["responded_by_id"], ["user_account.id"], name=op.f("fk_moderation_review_responded_by_id_user_account")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user_account.id"], name=op.f("fk_moderation_review_reviewed_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_review")),
        sa.UniqueConstraint("moderation_id", "domain_id", name=op.f("uq_moderation_review_moderation_id_domain_id")),
    )
    with op.batch_alter_table("moderation_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_review_moderation_id"), ["moderation_id"], unique=False)

    op.create_table(
        "introduction",
        sa.Column("from_organisation_id", sa.Integer(), nullable=False),
        sa.Column("to_organisation_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.Enum("pending", "accepted", "declined", name="introduction_status", native_enum=False, length=32), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(["from_organisation_id"], ["organisation.id"], name=op.f("fk_introduction_from_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user_account.id"], name=op.f("fk_introduction_requested_by_id_user_account")),
        sa.ForeignKeyConstraint(["responded_by_id"], ["user_account.id"], name=op.f("fk_introduction_responded_by_id_user_account")),
        sa.ForeignKeyConstraint(["to_organisation_id"], ["organisation.id"], name=op.f("fk_introduction_to_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_introduction")),
    )
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_introduction_from_organisation_id"), ["from_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_introduction_to_organisation_id"), ["to_organisation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introduction_to_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_introduction_from_organisation_id"))
    op.drop_table("introduction")
    with op.batch_alter_table("moderation_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_review_moderation_id"))
    op.drop_table("moderation_review")
    with op.batch_alter_table("moderation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_moderator_region_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_moderator_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_assessment_id"))
    op.drop_table("moderation")
    op.drop_table("peer_moderator")
