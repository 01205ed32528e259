"""gunicorn reads this file from the directory it starts in.

It settles nothing about how to serve; it only tells the app how many workers gunicorn
will really run (after the command line, GUNICORN_CMD_ARGS and WEB_CONCURRENCY), so that
production refuses per-process rate limits with several workers (reception/core/ratelimits).
"""

import os


def on_starting(server):
    from config import config_for
    from reception.core.ratelimits import WORKERS_VARIABLE, check_shared_limits

    os.environ[WORKERS_VARIABLE] = str(server.cfg.workers)
    settings = config_for(os.environ.get("RECEPTION_ENV"))
    config = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    # Raised here, gunicorn stops at once with the reason, before any worker starts.
    check_shared_limits(config)
