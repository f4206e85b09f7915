"""the service ladder: the specialist queue, answers in chat, the host's room asks

Revision ID: 0007_ladder
Revises: 0005_access
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_ladder'
down_revision = '0005_access'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_hash', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('normalized', sa.String(length=500), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('agent', sa.String(length=64), nullable=True),
    sa.Column('comment_ts', sa.Float(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('claimed_at', sa.Float(), nullable=True),
    sa.Column('contacted_at', sa.Float(), nullable=True),
    sa.Column('closed_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_show_state', ['show_id', 'state'], unique=False)
        batch_op.create_index('ix_cases_show_user', ['show_id', 'user_hash'], unique=False)
    op.create_table('reply_settings',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id')
    )
    op.create_table('reply_items',
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('templates', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('chat_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('user_hash', sa.String(length=32), nullable=False),
    sa.Column('comment_text', sa.String(length=500), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('template', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('decided_at', sa.Float(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('posted_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chat_replies', schema=None) as batch_op:
        batch_op.create_index('ix_chat_replies_show_state', ['show_id', 'state'], unique=False)
    op.create_table('room_asks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('room_asks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_asks_show_id'), ['show_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('room_asks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_asks_show_id'))
    op.drop_table('room_asks')
    with op.batch_alter_table('chat_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_replies_show_state')
    op.drop_table('chat_replies')
    op.drop_table('reply_items')
    op.drop_table('reply_settings')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_show_user')
        batch_op.drop_index('ix_cases_show_state')
    op.drop_table('cases')
