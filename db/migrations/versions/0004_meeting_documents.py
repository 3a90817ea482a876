"""meeting documents and their receipts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meeting_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['added_by_id'], ['people.id'], name=op.f('fk_meeting_documents_added_by_id_people')),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_meeting_documents_file_id_stored_files')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_documents_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_documents')),
    )
    op.create_index('ix_meeting_documents_month', 'meeting_documents', ['month'])
    op.create_table(
        'document_receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['meeting_documents.id'], name=op.f('fk_document_receipts_document_id_meeting_documents')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_document_receipts_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_receipts')),
        sa.UniqueConstraint('document_id', 'person_id', name=op.f('uq_document_receipts_document_id_person_id')),
    )
    op.create_index(op.f('ix_document_receipts_document_id'), 'document_receipts', ['document_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_document_receipts_document_id'), table_name='document_receipts')
    op.drop_table('document_receipts')
    op.drop_index('ix_meeting_documents_month', table_name='meeting_documents')
    op.drop_table('meeting_documents')
