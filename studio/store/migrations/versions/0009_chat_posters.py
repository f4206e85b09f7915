"""the platforms' chat posters of a show, their tokens sealed at rest

Revision ID: 0009_chat_posters
Revises: 0008_rooms
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_chat_posters'
down_revision = '0008_rooms'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_posters',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('settings_sealed', sa.Text(), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id', 'platform')
    )


def downgrade() -> None:
    op.drop_table('chat_posters')
