"""What screens see: revisioned snapshots per (show, topic) pushed over the /live Socket.IO namespace.
Topics are registered by the composition root (studio/services.py); this package reads services, never the request."""
