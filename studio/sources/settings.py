"""Adapter settings: what each platform needs, where a value comes from, and which values are secret.

A value is taken from, last one winning: the adapter's default, the show's stored source config (secrets
encrypted at rest), the environment (`STUDIO_<PLATFORM>_<NAME>`, e.g. STUDIO_BILIBILI_ACCESS_KEY_SECRET), and the
command line (`--set name=value`). Secrets are never logged, never returned by the API, never printed."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    help: str
    default: Any = None
    secret: bool = False
    required: bool = False
    kind: type = str  # str, int, float or bool


# Timings every adapter honours; tests shorten them, operators rarely touch them.
COMMON = {
    "backoff_base": Setting("first reconnect waits up to this many seconds", 1.0, kind=float),
    "backoff_cap": Setting("longest reconnect wait, seconds", 60.0, kind=float),
    "stable_after": Setting("a session this long (s) resets the backoff", 30.0, kind=float),
    "dedupe_size": Setting("message ids remembered per room", 50_000, kind=int),
    "batch_max": Setting("comments per ingest request", 500, kind=int),
    "batch_interval": Setting("longest wait before a partial batch is sent, seconds", 0.25, kind=float),
    "health_interval": Setting("seconds between health reports to the studio (changes are reported at once)", 5.0,
                               kind=float),
    "silent_min": Setting("a busy room quiet this long (s) at least, and longer than its usual gaps, is silent",
                          10.0, kind=float),
    "probe_timeout": Setting("a keepalive probe unanswered this long (s) means a frozen link", 5.0, kind=float),
}


class SettingsError(ValueError):
    pass


def env_name(platform: str, name: str) -> str:
    return f"STUDIO_{platform.upper()}_{name.upper()}"


def _coerce(name: str, spec: Setting, value: Any) -> Any:
    if value is None or spec.kind is str:
        return value if value is None else str(value)
    try:
        if spec.kind is bool:
            return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")
        return spec.kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"setting '{name}' must be a {spec.kind.__name__}, not {value!r}") from None


def schema(adapter_settings: Mapping[str, Setting]) -> dict[str, Setting]:
    return {**COMMON, **adapter_settings}


def resolve(platform: str, specs: Mapping[str, Setting], stored: Mapping[str, Any] | None = None,
            overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """The effective settings; SettingsError names what is missing or malformed (never a secret's value)."""
    environ = os.environ if environ is None else environ
    unknown = sorted(set(overrides or {}) - set(specs))
    if unknown:
        raise SettingsError(f"unknown setting(s) for {platform}: {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(specs))}")
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        value = spec.default
        if stored and stored.get(name) not in (None, ""):
            value = stored[name]
        if environ.get(env_name(platform, name)):
            value = environ[env_name(platform, name)]
        if overrides and overrides.get(name) not in (None, ""):
            value = overrides[name]
        out[name] = _coerce(name, spec, value)
    missing = [n for n, s in specs.items() if s.required and out.get(n) in (None, "")]
    if missing:
        raise SettingsError(f"{platform} needs: " + ", ".join(
            f"{n} (--set {n}=… or {env_name(platform, n)})" for n in missing))
    return out


def public_view(specs: Mapping[str, Setting], stored: Mapping[str, Any]) -> tuple[dict, list[str]]:
    """What the API may show: non-secret values, and the names of the secrets that are set."""
    shown = {k: v for k, v in stored.items() if k in specs and not specs[k].secret}
    secrets_set = sorted(k for k, v in stored.items() if k in specs and specs[k].secret and v not in (None, ""))
    return shown, secrets_set


def merge_update(specs: Mapping[str, Setting], stored: Mapping[str, Any], update: Mapping[str, Any],
                 keep_unmentioned: bool = False) -> dict:
    """Apply an edit: a secret left out keeps its stored value (the API never sends it back), an empty string or
    null clears a value. A console edit sends every non-secret value, so those left out are removed, unless
    `keep_unmentioned` (the CLI changes one value at a time)."""
    unknown = sorted(set(update) - set(specs))
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    merged = {k: v for k, v in stored.items() if k in specs and (keep_unmentioned or specs[k].secret)}
    for name, value in update.items():
        if value is None or value == "":
            merged.pop(name, None)
        elif isinstance(value, (str, int, float, bool)):
            merged[name] = _coerce(name, specs[name], value)
        else:
            raise SettingsError(f"setting '{name}' must be a string, number or boolean")
    return merged
