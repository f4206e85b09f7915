"""Local fakes of the live platforms, written from their published protocols, served on 127.0.0.1 only."""
