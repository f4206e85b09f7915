"""Building blocks with no knowledge of the studio: any package may use them, they import nothing from it."""
