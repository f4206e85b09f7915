"""Database tables. Event times (comments, viewer events, contacts, segments) are UTC epoch seconds as floats:
the analytics bucket them arithmetically on both SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised on logout and password change: every session cookie issued before stops working, copies included.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex; the token itself is never stored
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so people can tell tokens apart
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class FaqRecord(Base):
    __tablename__ = "faq_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    question: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(8), default="售前")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    examples: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    escalation_url: Mapped[str] = mapped_column(String(2000), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Show(Base):
    __tablename__ = "shows"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | live | ended
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumps on every on-air / rundown / shelf change
    # The public ranking topic (overlays) carries viewers' comment samples only when the producer turns this on.
    public_samples: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ShelfEntry(Base):
    """A show's own shelf: which items, in which order, under which link number."""
    __tablename__ = "shelf_entries"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("faq_items.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)


class RundownEntry(Base):
    __tablename__ = "rundown_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("faq_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[float] = mapped_column(Float)


class Segment(Base):
    """One on-air answer: the item and when it started and ended (ended_at NULL while on air)."""
    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("faq_items.id", ondelete="SET NULL"), nullable=True)
    slug: Mapped[str] = mapped_column(String(64))  # kept when the item is deleted: history stays readable
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(32), default="")
    ext_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    user_hash: Mapped[str] = mapped_column(String(32), default="")
    # stable | session | absent: whether distinct-asker counts can trust user_hash
    user_quality: Mapped[str] = mapped_column(String(8), default="stable")
    text: Mapped[str] = mapped_column(String(500))
    ts: Mapped[float] = mapped_column(Float)
    slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    is_question: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        UniqueConstraint("show_id", "platform", "ext_id", name="uq_comment_ext"),
        Index("ix_comments_show_ts", "show_id", "ts"),
    )


class CommentCount(Base):
    """Matched comments per show, item and minute: the ranking's rebuild source and the demand series."""
    __tablename__ = "comment_counts"
    show_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds // 60
    count: Mapped[int] = mapped_column(Integer, default=0)


class ViewerEvent(Base):
    """Shelf views, page views, votes and escalations; one row per viewer, show, item and type."""
    __tablename__ = "viewer_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(String(32), default="")
    slug: Mapped[str] = mapped_column(String(64), default="")
    type: Mapped[str] = mapped_column(String(16))
    viewer_hash: Mapped[str] = mapped_column(String(32))
    ts: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("show_id", "slug", "type", "viewer_hash", name="uq_viewer_event"),
        # The analytics read these indexes only, never the table (500k events in well under a second on SQLite):
        # show+time(+type) for counts per time bucket, per viewer for unique viewers and escalation look-ups,
        # per item for the funnel.
        Index("ix_viewer_events_show_ts", "show_id", "ts", "type"),
        Index("ix_viewer_events_viewer", "show_id", "type", "viewer_hash", "ts"),
        Index("ix_viewer_events_item", "show_id", "slug", "type", "ts"),
    )


class OneToOneContact(Base):
    """A contact with the one-to-one channel (helpdesk import or webhook)."""
    __tablename__ = "one_to_one_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(128), unique=True)
    ts: Mapped[float] = mapped_column(Float)
    channel: Mapped[str] = mapped_column(String(64), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_hash: Mapped[str] = mapped_column(String(32), default="")
    wait_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    handle_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Time first, then every column the analytics read: their window scans never visit the table.
    __table_args__ = (Index("ix_one_to_one_contacts_ts", "ts", "slug", "topic", "customer_hash", "ext_id",
                            "handle_seconds"),)


class TopicMapping(Base):
    """A helpdesk topic name mapped to an FAQ item."""
    __tablename__ = "topic_mappings"
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))


class ObsConfig(Base):
    __tablename__ = "obs_configs"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="127.0.0.1")
    port: Mapped[int] = mapped_column(Integer, default=4455)
    password_enc: Mapped[str] = mapped_column(Text, default="")  # encrypted with the secret key; never returned
    question_input: Mapped[str | None] = mapped_column(String(255), nullable=True)
    answer_input: Mapped[str | None] = mapped_column(String(255), nullable=True)
    scene: Mapped[str | None] = mapped_column(String(255), nullable=True)
    scene_item: Mapped[str | None] = mapped_column(String(255), nullable=True)
    on_air_scene: Mapped[str | None] = mapped_column(String(255), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class SourceConfig(Base):
    """A live platform's comment source for a show (credentials encrypted with the secret key)."""
    __tablename__ = "source_configs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(200), default="")
    settings_enc: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # sha256 of the receiver token in the capture-tool hook URL; the token itself is shown once, never stored
    hook_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (UniqueConstraint("show_id", "platform", "room", name="uq_source_config"),)


class SourceState(Base):
    """The latest health report of one adapter (state, figures, reconnects and restarts with reasons), so every
    studio process and `studio source list` see the same; `stop_requested` is how `studio source stop` reaches an
    adapter running anywhere (the answer to its next report tells it)."""
    __tablename__ = "source_states"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16))
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    reported_at: Mapped[float] = mapped_column(Float)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("show_id", "platform", "room", name="uq_source_state"),)


class IntakeGap(Base):
    """A stretch of time a source was not delivering (down, backing off, failed, silent, stopped reporting), so a
    dip in demand caused by an outage is not read as deflection. `ended_at` is null while it lasts."""
    __tablename__ = "intake_gaps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    room: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(String(500), default="")


class Decision(Base):
    """What the crew taught the matcher: this comment asks item `slug`, or (slug null) no item at all. The active
    decisions (not undone), oldest first, are the matcher's feedback; `guess` is what the matcher said before, so
    an export can list the comment as a counter-example of that item."""
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    normalized: Mapped[str] = mapped_column(String(500), index=True)
    text: Mapped[str] = mapped_column(String(500))  # the comment as a viewer wrote it
    slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    guess: Mapped[str | None] = mapped_column(String(64), nullable=True)
    show_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    who: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[float] = mapped_column(Float)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    undone_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    undone_at: Mapped[float | None] = mapped_column(Float, nullable=True)

# -- the service ladder: the specialist queue (tier 3) ---------------------------------------------------------------

class Case(Base):
    """A comment routed to the specialist queue: a viewer's own case, or an angry or urgent comment.
    state: open → claimed → contacted → resolved | not_ours (an agent may close from any earlier state)."""
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32), default="")
    user_hash: Mapped[str] = mapped_column(String(32), default="")
    text: Mapped[str] = mapped_column(String(500))
    normalized: Mapped[str] = mapped_column(String(500), default="")
    slug: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the FAQ item it also counted for
    kind: Mapped[str] = mapped_column(String(16))  # personal | angry
    reason: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    urgency: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="open")
    agent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    comment_ts: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    contacted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (Index("ix_cases_show_state", "show_id", "state"),
                      Index("ix_cases_show_user", "show_id", "user_hash"))


# -- the service ladder: answers in chat (tier 1) --------------------------------------------------------------------

class ReplySetting(Base):
    """A show's answers in chat: mode off (the default) | suggest | approve | auto."""
    __tablename__ = "reply_settings"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="off")
    updated_at: Mapped[float] = mapped_column(Float)


class ReplyItem(Base):
    """An FAQ item's auto-reply: on or off, and its templates (none: the studio's own)."""
    __tablename__ = "reply_items"
    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    templates: Mapped[list] = mapped_column(JSON, default=list)


class ChatPoster(Base):
    """Where a show's approved replies may be posted by the studio itself: a platform account's settings (channel,
    live chat id …) with its token, sealed with a key derived from the secret key (studio.access.sealed); the
    token's scopes beside them. The token is never returned by any API."""
    __tablename__ = "chat_posters"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    settings_sealed: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[float] = mapped_column(Float)


class ChatReply(Base):
    """A composed reply and its outcome. state: suggested → copied | approved → posted | rejected | rate_limited,
    or dismissed."""
    __tablename__ = "chat_replies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32), default="")
    slug: Mapped[str] = mapped_column(String(64))
    user_hash: Mapped[str] = mapped_column(String(32), default="")
    comment_text: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(String(500))
    template: Mapped[int] = mapped_column(Integer, default=0)
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="suggested")
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[float] = mapped_column(Float)
    decided_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    posted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (Index("ix_chat_replies_show_state", "show_id", "state"),)


class RoomAsk(Base):
    """The host asked the room whether the answer helped ("解决了扣1"): resolution signals count from `at`."""
    __tablename__ = "room_asks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[float] = mapped_column(Float)



# -- Run sheets (排品表) and many rooms at once -------------------------------------------------------------------

class Product(Base):
    """One row of a show's run sheet: the order number and the facts as the sheet (or a producer) gives them.
    `fields` holds name, shop, category, price (到手价), discount (满减), gift (赠品), stock, shipping,
    start_time and status; a field missing or empty is not known yet (shown as 待确认)."""
    __tablename__ = "products"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)  # row order in the sheet
    updated_at: Mapped[float] = mapped_column(Float, default=0.0)


class RunSheetMapping(Base):
    """How the columns of one sheet format map to product fields, remembered by the header's signature."""
    __tablename__ = "run_sheet_mappings"
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)  # header text → field
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ShowStaff(Base):
    """A staff account assigned to a show (directly; squads add theirs through SquadMember)."""
    __tablename__ = "show_staff"
    show_id: Mapped[str] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), primary_key=True)


class Squad(Base):
    """A named group of agents working one show at a time."""
    __tablename__ = "squads"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    show_id: Mapped[str | None] = mapped_column(ForeignKey("shows.id", ondelete="SET NULL"), nullable=True)
    moved_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class SquadMember(Base):
    __tablename__ = "squad_members"
    squad: Mapped[str] = mapped_column(ForeignKey("squads.name", ondelete="CASCADE"), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64), primary_key=True)
