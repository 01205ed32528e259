"""The security tests change reference data through the administration: put it back."""

from tests.admin.conftest import _restore_reference_data  # noqa: F401
