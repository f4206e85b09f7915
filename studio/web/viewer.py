"""Placeholder blueprint; filled in by its owner."""
from flask import Blueprint

bp = Blueprint("viewer", __name__)
