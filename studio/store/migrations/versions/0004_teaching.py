"""the crew's decisions for the matcher (teaching during the show)

Revision ID: 0004_teaching
Revises: 0003_intake
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_teaching'
down_revision = '0003_intake'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('normalized', sa.String(length=500), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('guess', sa.String(length=64), nullable=True),
    sa.Column('show_id', sa.String(length=32), nullable=True),
    sa.Column('who', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('undone', sa.Boolean(), nullable=False),
    sa.Column('undone_by', sa.String(length=80), nullable=True),
    sa.Column('undone_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_normalized'), ['normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_show_id'), ['show_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_show_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_normalized'))
    op.drop_table('decisions')
