"""What an adapter process and the studio agree on: the limits of one comment and of one batch.

Adapters run on other machines with nothing of the server installed, so this module imports nothing; the studio's
ingest validation (studio/comments/ingest.py) reads its limits from here too."""
from __future__ import annotations

import re

MAX_BATCH = 5000  # comments per request
MAX_TEXT = 500  # characters of a comment's text kept
MAX_ID = 128  # characters of a platform message id
MAX_USER = 256  # characters of a platform user id
QUALITIES = ("stable", "session", "absent")  # how long a platform's user id means the same person
PLATFORM_RE = re.compile(r"[a-z0-9_-]{1,32}")
