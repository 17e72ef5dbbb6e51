"""gunicorn settings for chibo (docs/deploy.md). Every value can be overridden
from the environment, so the same file serves `make prod-local` and a server.

    gunicorn -c deploy/gunicorn.conf.py chibo.wsgi:application
"""

import gc
import multiprocessing
import os
import sys

# 127.0.0.1 only: the reverse proxy (deploy/nginx/chibo.conf) terminates HTTPS.
bind = os.environ.get("CHIBO_BIND", "127.0.0.1:8001")
# Sync workers: chibo's requests are short and database-bound. 2 × cores + 1 is
# the usual start; each worker keeps one PostgreSQL connection (CONN_MAX_AGE).
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A report of the whole nation may take several seconds; an import runs in the
# background worker, never in a request.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), one at a time (post_fork).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("WEB_MAX_REQUESTS_JITTER", "200"))
# Only the proxy talks to us; trust its X-Forwarded-* headers. The same list
# tells chibo whose X-Forwarded-For names the client (chibo.core.clientip).
forwarded_allow_ips = os.environ.get(
    "FORWARDED_ALLOW_IPS", os.environ.get("CHIBO_TRUSTED_PROXIES", "127.0.0.1")
)
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
# The request id set by chibo.core.middleware; no query strings (they may
# hold a searched name): %(U)s is the path only.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Imports the application once before forking: workers share its memory.
preload_app = True


def when_ready(server):
    """In the master, once the application is loaded: keep its objects out of the collector.

    Everything imported before the fork is shared with the workers; frozen, a worker's
    garbage collector neither walks it nor writes to its pages.
    """
    gc.freeze()


def post_fork(server, worker):
    """Recycle the first workers one after another, not all at once.

    Every worker of the first batch would reach ``max_requests`` at about the same
    moment (they share the load evenly), and while they are all being replaced no
    request is answered: with two workers the load test saw every user wait ~2 s.
    The i-th worker of the first batch lives i/n of a lifetime longer; their
    replacements keep that spacing.
    """
    if max_requests and worker.age <= server.num_workers:
        worker.max_requests += (worker.age - 1) * max_requests // server.num_workers
        server.log.info("worker %s recycles after %s requests", worker.pid, worker.max_requests)


def worker_exit(server, worker):
    """Leave at once: close the database connections, flush the logs, skip the
    interpreter's slow tear-down (the master waits for it before forking a new worker)."""
    import logging

    from django.db import connections

    leaving = sys.exc_info()[1]
    if not worker.booted or not isinstance(leaving, SystemExit) or leaving.code not in (0, None):
        return  # a failed worker leaves the usual way, with its exit code for the master
    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
