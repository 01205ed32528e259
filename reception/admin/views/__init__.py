"""HTTP for the administration (role `admin` only): thin views over admin.services."""

from reception.admin.views import directory, overview, people, routing  # noqa: F401 (routes)
from reception.admin.views.common import bp
from reception.ops import admin_page  # noqa: F401,E402 (the security event log page)

__all__ = ["bp"]
