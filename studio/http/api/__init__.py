"""JSON endpoints, one blueprint per area; each documents itself for /api/openapi.json (openapi.describe)."""
