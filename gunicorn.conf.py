"""gunicorn settings for Reception: `gunicorn -c gunicorn.conf.py wsgi:app`.

Metrics: every worker writes its counters to PROMETHEUS_MULTIPROC_DIR and `/metrics` sums
them (prometheus-client's multiprocess mode). The folder is emptied when gunicorn starts, and
a worker that exits is marked dead so that its live-only values drop out. Without the
variable a private temporary folder is used.

Rate limits: `on_starting` tells the app how many workers gunicorn will really run (after the
command line, GUNICORN_CMD_ARGS and WEB_CONCURRENCY), so that production refuses per-process
rate limits with several workers (reception/core/ratelimits) before any worker starts.

Logs: gunicorn's own lines are JSON too, like the application's; there is no access log (the
application logs each request with its route, never the raw address with its numbers).
"""

import os
import shutil
import tempfile

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="reception-metrics-")

from gunicorn.glogging import Logger


class ApplicationLogsRequests(Logger):
    """gunicorn's logger without its access log: the application logs each request with its
    route (reception.ops.hooks), never the raw address, which holds registration numbers and
    may hold an API key. With a logging configuration gunicorn would otherwise format and
    write a second line for every request."""

    def access(self, resp, req, environ, request_time):
        return


logger_class = ApplicationLogsRequests
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(process)s",
            "timestamp": "time",
            "rename_fields": {
                "levelname": "level",
                "name": "logger",
                "process": "pid",
            },
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}


def on_starting(server):
    """Check the rate-limit store against the workers; start with an empty metrics folder."""
    from config import config_for
    from reception.core.ratelimits import WORKERS_VARIABLE, check_shared_limits

    os.environ[WORKERS_VARIABLE] = str(server.cfg.workers)
    settings = config_for(os.environ.get("RECEPTION_ENV"))
    # A bad value stops gunicorn here, by name, before any worker starts (the app itself
    # says which required settings are missing).
    settings.check_values()
    config = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    # Raised here, gunicorn stops at once with the reason, before any worker starts.
    check_shared_limits(config)
    # Values of an earlier run must not count.
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
