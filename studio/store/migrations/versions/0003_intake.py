"""intake health: the latest state of each adapter, and intake gaps; Twitch rooms stored as their login

Revision ID: 0003_intake
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_intake'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('reported_at', sa.Float(), nullable=False),
    sa.Column('stop_requested', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('show_id', 'platform', 'room', name='uq_source_state')
    )
    with op.batch_alter_table('source_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_states_show_id'), ['show_id'], unique=False)
    op.create_table('intake_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intake_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_gaps_show_id'), ['show_id'], unique=False)
    # "#FaqShop" and "faqshop" are one Twitch channel: stored as the login, as the adapter reports it.
    op.execute("UPDATE source_configs SET room = lower(ltrim(room, '#')) WHERE platform = 'twitch'")


def downgrade() -> None:
    with op.batch_alter_table('intake_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_gaps_show_id'))
    op.drop_table('intake_gaps')
    with op.batch_alter_table('source_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_states_show_id'))
    op.drop_table('source_states')
