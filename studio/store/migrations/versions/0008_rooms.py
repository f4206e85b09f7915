"""run sheets (products, remembered column mappings) and many rooms at once (show staff, squads)

Revision ID: 0008_rooms
Revises: 0007_ladder
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_rooms'
down_revision = '0007_ladder'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('products',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id', 'number')
    )
    op.create_table('run_sheet_mappings',
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('signature')
    )
    op.create_table('show_staff',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id', 'user_name')
    )
    op.create_table('squads',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=True),
    sa.Column('moved_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('squad_members',
    sa.Column('squad', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['squad'], ['squads.name'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('squad', 'user_name')
    )


def downgrade() -> None:
    op.drop_table('squad_members')
    op.drop_table('squads')
    op.drop_table('show_staff')
    op.drop_table('run_sheet_mappings')
    op.drop_table('products')
