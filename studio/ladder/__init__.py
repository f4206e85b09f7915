"""The service ladder around the host: the specialist queue for comments that need a person (tier 3), answers in
chat (tier 1), and proof an answer worked.
Imports faq_catalog, store, errors, blocks, access (sealed credentials) and the sources' chat posters; never the
web layer."""
