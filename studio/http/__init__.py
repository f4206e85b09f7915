"""The only package that touches flask.request: blueprints (api/ for JSON, pages/ for HTML), Socket.IO namespaces,
error mapping, page strings. Only studio/app.py imports it; pages never import api modules."""
