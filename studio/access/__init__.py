"""Who may do what: accounts, sessions, API tokens, roles, CSRF, rate limits and response headers."""
