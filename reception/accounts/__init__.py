"""Users, roles, registration, log-in and API keys."""
