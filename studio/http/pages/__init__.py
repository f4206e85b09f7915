"""HTML pages per audience (staff, viewer, console, rundown, catalog editor, lead). Never import api modules."""
