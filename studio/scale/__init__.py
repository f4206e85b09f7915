"""Only with STUDIO_REDIS_URL: the per-show Redis lease and stream, catalog sync, the degraded probe.
Without Redis the null objects (LocalOwnership, LocalBus, LocalCatalogSync) stand in."""
