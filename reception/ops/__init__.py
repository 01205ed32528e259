"""Operations: structured logs, metrics, readiness and heartbeats, the security event log.

See docs/operations.md. `install_ops(app)` is called by create_app before the blueprints are
registered, so that its request hooks run first (and see every answer last).
"""

from __future__ import annotations

import os

from flask import Flask


def install_ops(app: Flask) -> None:
    # prometheus-client writes there from the first metric on: the folder must exist.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
    from reception.ops import hooks

    if not app.debug and not app.testing:
        from reception.ops.logs import configure_logging

        configure_logging(app.config.get("RECEPTION_LOG_LEVEL", "INFO"))
    hooks.install_global_listeners()
    hooks.wrap_user_loader()
    hooks.install_request_hooks(app)
