"""HTTP for the administration (role `admin` only): thin views over admin.services."""

from reception.admin.views import directory, overview, people, routing  # noqa: F401 (routes)
from reception.admin.views.common import bp

__all__ = ["bp"]
