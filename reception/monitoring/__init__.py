"""Response-time figures: the dashboard, the overdue list, CSV export, public statistics."""
