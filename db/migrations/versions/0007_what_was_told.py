"""what was told, as the practice's own rows: each rsvp's last reminder, the report's request
and nudges, and the copies of a meeting's documents sent (they were read off outbox keys)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import re

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_REMINDER = re.compile(r"^remind:(\d+):r(\d+):p(\d+):(\w+)$")
_REPORT = re.compile(r"^report:(\d+):p(\d+):(request|nudge1|nudge2)$")
_DOCUMENT = re.compile(r"^doc:(\d+):p(\d+)$")


def upgrade() -> None:
    op.add_column("rsvps", sa.Column("reminded", sa.String(length=40), nullable=True))
    op.add_column("rsvps", sa.Column("report_asked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "rsvps", sa.Column("report_nudges", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "document_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["meeting_documents.id"],
            name=op.f("fk_document_copies_document_id_meeting_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_document_copies_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_copies")),
        sa.UniqueConstraint(
            "document_id", "person_id", name=op.f("uq_document_copies_document_id_person_id")
        ),
    )
    op.create_index(op.f("ix_document_copies_document_id"), "document_copies", ["document_id"])
    op.add_column('instances', sa.Column('lock_session', sa.Integer(), nullable=True))
    # The sender counts what went out in the last minute before its first send.
    op.create_index(op.f('ix_outbox_sent_at'), 'outbox', ['sent_at'])
    _from_the_outbox()


def _from_the_outbox() -> None:
    """What the outbox's keys say was told, copied into the new rows."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT key, created_at, due_at FROM outbox"
            " WHERE key LIKE 'remind:%' OR key LIKE 'report:%' OR key LIKE 'doc:%'"
            " ORDER BY due_at, id"
        )
    ).all()
    reminded: dict[tuple[int, int], str] = {}
    asked: dict[tuple[int, int], object] = {}
    nudges: dict[tuple[int, int], int] = {}
    copies: dict[tuple[int, int], object] = {}
    for key, created_at, due_at in rows:
        if match := _REMINDER.match(key):
            meeting, revision, person, slot = match.groups()
            reminded[(int(meeting), int(person))] = f"r{revision}:{slot}"
        elif match := _REPORT.match(key):
            meeting, person, kind = match.groups()
            pair = (int(meeting), int(person))
            if kind == "request":
                asked[pair] = max(created_at, due_at)
            else:
                nudges[pair] = max(nudges.get(pair, 0), int(kind[-1]))
        elif match := _DOCUMENT.match(key):
            copies[(int(match.group(1)), int(match.group(2)))] = created_at
    update = sa.text(
        "UPDATE rsvps SET reminded = :reminded WHERE meeting_id = :meeting AND person_id = :person"
    )
    for (meeting, person), value in reminded.items():
        bind.execute(update, {"reminded": value, "meeting": meeting, "person": person})
    update = sa.text(
        "UPDATE rsvps SET report_asked_at = :at WHERE meeting_id = :meeting AND person_id = :person"
    )
    for (meeting, person), at in asked.items():
        bind.execute(update, {"at": at, "meeting": meeting, "person": person})
    update = sa.text(
        "UPDATE rsvps SET report_nudges = :n WHERE meeting_id = :meeting AND person_id = :person"
    )
    for (meeting, person), count in nudges.items():
        bind.execute(update, {"n": count, "meeting": meeting, "person": person})
    insert = sa.text(
        "INSERT INTO document_copies (document_id, person_id, queued_at)"
        " SELECT :document, :person, :at WHERE EXISTS"
        " (SELECT 1 FROM meeting_documents WHERE id = :document)"
        " AND EXISTS (SELECT 1 FROM people WHERE id = :person)"
    )
    for (document, person), at in copies.items():
        bind.execute(insert, {"document": document, "person": person, "at": at})


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_sent_at'), table_name='outbox')
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('lock_session')
    op.drop_index(op.f("ix_document_copies_document_id"), table_name="document_copies")
    op.drop_table("document_copies")
    with op.batch_alter_table("rsvps") as batch:
        batch.drop_column("report_nudges")
        batch.drop_column("report_asked_at")
        batch.drop_column("reminded")
