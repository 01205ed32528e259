"""Pieces every feature shares: column types, locale, security headers, error pages."""
