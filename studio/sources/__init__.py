"""Live comments from the platforms: official adapters (one upstream connection per platform and room, run as
their own process with `studio source run`) and receivers for the capture tools operators already use.

Every path ends in the same normalized comment (`base.Comment`) and the same ingest path as the HTTP API.
Adapters run on machines without the server: this package imports only itself and studio.blocks, and
`contract.py` holds what it shares with the server's ingest (limits, qualities)."""
