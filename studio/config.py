"""Configuration from the environment, with defaults that run the embedded single-process studio."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _var_dir() -> Path:
    return Path(os.environ.get("STUDIO_VAR_DIR", Path.cwd() / "var")).resolve()


def _secret_key(var_dir: Path) -> str:
    """STUDIO_SECRET_KEY, or one generated on first run and kept in var/secret_key (mode 0600)."""
    key = os.environ.get("STUDIO_SECRET_KEY")
    if key:
        return key
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _list(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())


def load_config() -> dict:
    var_dir = _var_dir()
    var_dir.mkdir(parents=True, exist_ok=True)
    return {
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": os.environ.get("STUDIO_DATABASE_URL", f"sqlite:///{var_dir / 'studio.db'}"),
        "SECRET_KEY": _secret_key(var_dir),
        "REDIS_URL": os.environ.get("STUDIO_REDIS_URL") or None,
        "PUBLIC_URL": os.environ.get("STUDIO_PUBLIC_URL") or None,  # for QR codes when behind a proxy
        # Browser origins besides the studio's own host and PUBLIC_URL whose pages may use the staff login on
        # Socket.IO (comma-separated, e.g. "https://dash.example.com"); pages from any other origin read public
        # topics only.
        "ALLOWED_ORIGINS": _list(os.environ.get("STUDIO_ALLOWED_ORIGINS", "")),
        # Addresses of the reverse proxies whose X-Forwarded-Proto / X-Real-IP are believed (the scaled mode's
        # nginx runs on loopback); a request from anywhere else is taken as it arrives.
        "TRUSTED_PROXIES": _list(os.environ.get("STUDIO_TRUSTED_PROXIES", "127.0.0.1,::1")),
        "RANKING_HALF_LIFE": float(os.environ.get("STUDIO_RANKING_HALF_LIFE", "60")),
        "PUSH_INTERVAL": float(os.environ.get("STUDIO_PUSH_INTERVAL", "0.25")),
        # A capture receiver (hook URL) of a busy room that is quiet this many seconds at least is "silent".
        "RECEIVER_SILENT_MIN": float(os.environ.get("STUDIO_RECEIVER_SILENT_MIN", "10")),
        # Socket.IO pings every this many seconds; a client that leaves one unanswered as long again is dropped.
        "PING_INTERVAL": float(os.environ.get("STUDIO_PING_INTERVAL", "10")),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "RATE_LIMIT_SCALE": float(os.environ.get("STUDIO_RATE_LIMIT_SCALE", "1")),  # benchmarks raise it
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,  # one working day of shows; then log in again
        "SESSION_COOKIE_SECURE": os.environ.get("STUDIO_HTTPS") == "1",  # set when served over TLS
        "SESSION_COOKIE_SAMESITE": "Lax",
        "JSON_AS_ASCII": False,
    }
