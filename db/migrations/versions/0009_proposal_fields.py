"""proposal fields: a list of their own (land, roads, security…), apart from the meeting
topics a proposal used to be filed under

Existing proposals get the field their text names (a road, a lamp, a ditch: infrastructure;
a land dispute: land…), else the one their old meeting topic points to ("Quốc phòng - an
ninh, trật tự": security), else none ("another field"). The list and the words are copied
here, not imported, so that this step does the same whenever it runs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (code, name, words of a proposal's text or of its old topic's name that point to it)
FIELDS = (
    ("LV01", "Đất đai", "dat dai|so do|so hong|giay chung nhan|tranh chap dat|thu hoi dat"),
    (
        "LV02",
        "Xây dựng, trật tự đô thị",
        "xay dung trai phep|giay phep xay dung|trat tu do thi|via he|lan chiem|van minh do thi",
    ),
    (
        "LV03",
        "Hạ tầng giao thông, điện, nước",
        "duong|ngo|hem|muong|thoat nuoc|nuoc sach|chieu sang|dien|giao thong|ha tang",
    ),
    ("LV04", "Môi trường, vệ sinh", "rac|moi truong|o nhiem|ve sinh|mui hoi|tieng on"),
    ("LV05", "An ninh, trật tự", "an ninh|trat tu|cong an|tuan tra|trom|ma tuy|te nan|camera|quoc phong"),
    (
        "LV06",
        "Chính sách xã hội",
        "ho ngheo|can ngheo|giam ngheo|chinh sach|nguoi co cong|tro cap|bao tro",
    ),
    ("LV07", "Y tế", "y te|benh|bao hiem y te|tiem|dich|tram y te"),
    ("LV08", "Giáo dục", "truong|hoc sinh|giao duc|mam non"),
    ("LV09", "Kinh tế, việc làm", "kinh te|viec lam|von vay|san xuat|nong nghiep"),
    ("LV10", "Văn hóa, thể thao", "van hoa|the thao|le hoi|huong uoc"),
    (
        "LV11",
        "Công tác Đảng, chính quyền",
        "dang vien|chi bo|bi thu|can bo|tap huan|ket nap|dan chu|tuyen truyen",
    ),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_WORDS = [(code, re.compile(rf"\b(?:{words})\b")) for code, _, words in FIELDS]


def field_of(text: str) -> str | None:
    folded = _fold(text)
    return next((code for code, words in _WORDS if words.search(folded)), None)


def upgrade() -> None:
    fields = op.create_table(
        "proposal_fields",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_fields")),
        sa.UniqueConstraint("code", name=op.f("uq_proposal_fields_code")),
    )
    op.bulk_insert(
        fields,
        [
            {"code": code, "name": name, "sort_order": n, "active": True}
            for n, (code, name, _) in enumerate(FIELDS, start=1)
        ],
    )
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("field_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_proposals_field_id_proposal_fields"), "proposal_fields", ["field_id"], ["id"]
        )
    bind = op.get_bind()
    ids = dict(bind.execute(sa.text("SELECT code, id FROM proposal_fields")).all())
    rows = bind.execute(
        sa.text(
            "SELECT p.id, p.text, t.name FROM proposals p"
            " LEFT JOIN topics t ON t.id = p.topic_id"
        )
    ).all()
    update = sa.text("UPDATE proposals SET field_id = :field WHERE id = :id")
    for proposal, text, topic in rows:
        code = field_of(text) or (field_of(topic) if topic else None)
        if code is not None:
            bind.execute(update, {"field": ids[code], "id": proposal})
    with op.batch_alter_table("proposals") as batch:
        batch.drop_constraint(op.f("fk_proposals_topic_id_topics"), type_="foreignkey")
        batch.drop_column("topic_id")


def downgrade() -> None:
    # The old column comes back empty: a field is not a meeting topic.
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_proposals_topic_id_topics"), "topics", ["topic_id"], ["id"]
        )
        batch.drop_constraint(op.f("fk_proposals_field_id_proposal_fields"), type_="foreignkey")
        batch.drop_column("field_id")
    op.drop_table("proposal_fields")
