"""The show on air: rundown, current answer, up next, and their mirror in OBS (through overlays.obs).
Imports store and errors."""
