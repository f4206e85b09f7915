"""FAQ Live Studio server: app factory, database, shows, ranking, live pushes, pages and API."""
