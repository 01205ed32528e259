"""Open311 GeoReport v2 for 311 clients, and the JSON API for staff systems."""
