"""The service ladder around the host: the specialist queue for comments that need a person (tier 3).
Imports faq_catalog, store, errors and blocks; never the web layer."""
