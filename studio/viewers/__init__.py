"""What the audience reads (cached shelf and pages) and reports (views, votes, escalations). Imports store."""
