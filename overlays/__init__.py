"""Overlay pages for OBS browser sources, the overlay state contract and the obs-websocket driver."""
