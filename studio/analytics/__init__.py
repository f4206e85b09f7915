"""Deflection for support leads: reports over stored comments, viewer events and one-to-one contacts.
Reads the store; writes only contacts."""
