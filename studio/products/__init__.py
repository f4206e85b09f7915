"""A show's products from its run sheet (排品表): reading sheets, remembered column mappings, updates in place with a
report of what changed, the live "products" topic (cards, rundown, demand per product and field). Imports store,
errors, blocks and faq_catalog; never the web layer."""
