"""shows.public_samples: whether the public ranking topic (overlays) carries viewers' comment samples

Revision ID: 0005_access
Revises: 0004_teaching
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_access'
down_revision = '0004_teaching'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_samples', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('shows', schema=None) as batch_op:
        batch_op.drop_column('public_samples')
