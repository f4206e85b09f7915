"""Credentials sealed at rest: Fernet (AES-128-CBC with an HMAC-SHA256 tag) under a key derived from the studio's
secret key with HKDF, one key per purpose. A database copied without the secret key holds nothing usable, and a
changed secret key makes what was sealed unreadable (it has to be entered again), never wrong."""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unreadable(ValueError):
    """Sealed with another secret key (or damaged)."""


def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"faq-live-studio {purpose}".encode())
    return Fernet(base64.urlsafe_b64encode(key.derive(secret_key.encode())))


def seal(secret_key: str, purpose: str, plaintext: str) -> str:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode()


def unseal(secret_key: str, purpose: str, sealed: str) -> str:
    try:
        return _fernet(secret_key, purpose).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as e:
        raise Unreadable("sealed with another secret key") from e
