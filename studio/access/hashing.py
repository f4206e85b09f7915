"""Hashing and secret-keeping shared by auth, ingest and analytics: nothing sensitive is stored in clear."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def salted_id(secret_key: str, kind: str, value: str) -> str:
    """A stable pseudonym for a viewer / customer id: HMAC with the studio's secret, truncated (128 bits)."""
    if not value:
        return ""
    mac = hmac.new(secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "fls_" + secrets.token_urlsafe(32)


def _keystream(secret_key: str, nonce: bytes, n: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < n:
        out += hmac.new(secret_key.encode(), nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
    return out[:n]


def encrypt(secret_key: str, plaintext: str) -> str:
    """Encrypt-then-MAC with HMAC-SHA256 as stream cipher and tag; for small credentials at rest (OBS, platforms)."""
    if not plaintext:
        return ""
    nonce = secrets.token_bytes(16)
    data = plaintext.encode()
    ct = bytes(a ^ b for a, b in zip(data, _keystream(secret_key, nonce, len(data))))
    tag = hmac.new(secret_key.encode(), b"tag" + nonce + ct, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(nonce + tag + ct).decode()


def decrypt(secret_key: str, token: str) -> str:
    if not token:
        return ""
    raw = base64.urlsafe_b64decode(token.encode())
    nonce, tag, ct = raw[:16], raw[16:32], raw[32:]
    good = hmac.new(secret_key.encode(), b"tag" + nonce + ct, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, good):
        raise ValueError("stored secret cannot be decrypted with this secret key")
    return bytes(a ^ b for a, b in zip(ct, _keystream(secret_key, nonce, len(ct)))).decode()
