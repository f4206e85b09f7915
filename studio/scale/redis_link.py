"""The scaled mode's Redis: clients that cannot hang a request, and the key namespace of one deployment.

Every key and channel starts with `studio:<deployment>:`, the deployment being a digest of the database URL:
processes that share a database are one studio and share their keys; two studios that happen to share a Redis
(a test cluster beside a staging one, each with a show called `demo`) never see each other's owners or streams."""
from __future__ import annotations

import hashlib

import redis

TIMEOUT = 1.0  # seconds: a Redis that does not answer in this time counts as away


def connect(url: str, timeout: float = TIMEOUT) -> redis.Redis:
    """A client with short socket timeouts (replies decoded as text); under gevent its sockets are cooperative."""
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=TIMEOUT, decode_responses=True)


def key_prefix(database_url: str) -> str:
    return f"studio:{hashlib.sha1(database_url.encode()).hexdigest()[:10]}:"
