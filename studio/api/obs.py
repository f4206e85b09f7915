"""Placeholder part; filled in by its owner."""
