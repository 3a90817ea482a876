"""the proposal loop: handling bodies, assignment, answers, history

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'handling_bodies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handling_bodies')),
        sa.UniqueConstraint('code', name=op.f('uq_handling_bodies_code')),
    )
    op.create_table(
        'handling_body_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['handling_bodies.id'], name=op.f('fk_handling_body_members_body_id_handling_bodies')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_handling_body_members_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_handling_body_members')),
        sa.UniqueConstraint('body_id', 'person_id', name=op.f('uq_handling_body_members_body_id_person_id')),
    )
    op.create_index(op.f('ix_handling_body_members_body_id'), 'handling_body_members', ['body_id'])
    op.create_table(
        'proposal_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_proposal_events_person_id_people')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events')),
    )
    op.create_index(op.f('ix_proposal_events_proposal_id'), 'proposal_events', ['proposal_id'])
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('answer_final', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('answer_file_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('conveyed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('conveyed_note', sa.String(length=20), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_proposals_body_id'), ['body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposals_body_id_handling_bodies'), 'handling_bodies', ['body_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_proposals_merged_into_id_proposals'), 'proposals', ['merged_into_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_proposals_answer_file_id_stored_files'), 'stored_files', ['answer_file_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposals_answer_file_id_stored_files'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposals_merged_into_id_proposals'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposals_body_id_handling_bodies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_proposals_body_id'))
        for column in ('conveyed_note', 'conveyed_at', 'answer_file_id', 'answer_final',
                       'closed_reason', 'merged_into_id', 'assigned_at', 'deadline', 'body_id',
                       'revision'):
            batch_op.drop_column(column)
    op.drop_index(op.f('ix_proposal_events_proposal_id'), table_name='proposal_events')
    op.drop_table('proposal_events')
    op.drop_index(op.f('ix_handling_body_members_body_id'), table_name='handling_body_members')
    op.drop_table('handling_body_members')
    op.drop_table('handling_bodies')
