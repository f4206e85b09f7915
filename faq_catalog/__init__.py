"""FAQ catalog: items, import/export, Markdown pages, normalization and matching.

Plain Python: this package knows nothing of Flask, the database or OBS.
"""
