"""initial schema

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('comment_counts',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('show_id', 'slug', 'minute')
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('ext_id', sa.String(length=128), nullable=True),
    sa.Column('user_hash', sa.String(length=32), nullable=False),
    sa.Column('user_quality', sa.String(length=8), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('ts', sa.Float(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('is_question', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('show_id', 'platform', 'ext_id', name='uq_comment_ext')
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_show_ts', ['show_id', 'ts'], unique=False)

    op.create_table('faq_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('answer', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=8), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('escalation_url', sa.String(length=2000), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('one_to_one_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ext_id', sa.String(length=128), nullable=False),
    sa.Column('ts', sa.Float(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=True),
    sa.Column('customer_hash', sa.String(length=32), nullable=False),
    sa.Column('wait_seconds', sa.Float(), nullable=True),
    sa.Column('handle_seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ext_id')
    )
    with op.batch_alter_table('one_to_one_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_one_to_one_contacts_ts', ['ts', 'slug', 'topic', 'customer_hash', 'ext_id', 'handle_seconds'], unique=False)

    op.create_table('shows',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=True),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('topic_mappings',
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('topic')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('viewer_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('viewer_hash', sa.String(length=32), nullable=False),
    sa.Column('ts', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('show_id', 'slug', 'type', 'viewer_hash', name='uq_viewer_event')
    )
    with op.batch_alter_table('viewer_events', schema=None) as batch_op:
        batch_op.create_index('ix_viewer_events_show_ts', ['show_id', 'ts', 'type'], unique=False)
        batch_op.create_index('ix_viewer_events_viewer', ['show_id', 'type', 'viewer_hash', 'ts'], unique=False)
        batch_op.create_index('ix_viewer_events_item', ['show_id', 'slug', 'type', 'ts'], unique=False)

    op.create_table('obs_configs',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('password_enc', sa.Text(), nullable=False),
    sa.Column('question_input', sa.String(length=255), nullable=True),
    sa.Column('answer_input', sa.String(length=255), nullable=True),
    sa.Column('scene', sa.String(length=255), nullable=True),
    sa.Column('scene_item', sa.String(length=255), nullable=True),
    sa.Column('on_air_scene', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id')
    )
    op.create_table('rundown_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['faq_items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rundown_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rundown_entries_show_id'), ['show_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['faq_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_show_id'), ['show_id'], unique=False)

    op.create_table('shelf_entries',
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['faq_items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('show_id', 'item_id')
    )
    op.create_table('source_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('show_id', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('settings_enc', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hook_token_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['show_id'], ['shows.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('show_id', 'platform', 'room', name='uq_source_config')
    )
    with op.batch_alter_table('source_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_configs_show_id'), ['show_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('source_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_configs_show_id'))

    op.drop_table('source_configs')
    op.drop_table('shelf_entries')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_show_id'))

    op.drop_table('segments')
    with op.batch_alter_table('rundown_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rundown_entries_show_id'))

    op.drop_table('rundown_entries')
    op.drop_table('obs_configs')
    with op.batch_alter_table('viewer_events', schema=None) as batch_op:
        batch_op.drop_index('ix_viewer_events_item')
        batch_op.drop_index('ix_viewer_events_viewer')
        batch_op.drop_index('ix_viewer_events_show_ts')

    op.drop_table('viewer_events')
    op.drop_table('users')
    op.drop_table('topic_mappings')
    op.drop_table('shows')
    with op.batch_alter_table('one_to_one_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_one_to_one_contacts_ts')

    op.drop_table('one_to_one_contacts')
    op.drop_table('faq_items')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_show_ts')

    op.drop_table('comments')
    op.drop_table('comment_counts')
    op.drop_table('api_tokens')
