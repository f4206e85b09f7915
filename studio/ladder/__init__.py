"""The service ladder around the host: the specialist queue for comments that need a person (tier 3), answers in
chat (tier 1), and proof an answer worked.
Imports faq_catalog, store, errors and blocks; never the web layer."""
