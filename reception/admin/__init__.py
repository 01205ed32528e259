"""Administration: the directory, users and roles, API keys, and the audit log of it all."""
