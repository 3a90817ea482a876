"""rsvp: a report request put off by its member ("remind me tonight / tomorrow morning");
person: the command menu last set for them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "rsvps", sa.Column("report_snoozed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("people", sa.Column("menu", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("menu")
    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_column("report_snoozed_until")
