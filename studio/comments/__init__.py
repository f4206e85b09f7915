"""Any source → validated, matched, stored comment → the show's board → the ranking and emerging questions.
Imports faq_catalog, store, scale (lease and bus), sources.contract and blocks; never the web layer."""
