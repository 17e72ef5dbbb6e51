"""gunicorn settings for chibo (docs/deploy.md). Every value can be overridden
from the environment, so the same file serves `make prod-local` and a server.

    gunicorn -c deploy/gunicorn.conf.py chibo.wsgi:application
"""

import multiprocessing
import os

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
# Recycle workers now and then (bounded memory growth), staggered.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
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
