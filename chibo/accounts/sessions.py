"""Sessions in the database (Django's ``db`` engine), read by a statement compiled once.

``SESSION_ENGINE``: every signed-in request reads its session; the ORM's ``get`` cost ~0.5 ms
of Python a request (issue 22, ``GET /api/v1/members?q=`` at 400,000 members). The statement
is the ORM's (``core.prepared.Prepared``); the expiry is compared as the ORM's query compares
it (``expire_date > now``). Writing, deleting and clearing are Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from chibo.core.prepared import Prepared

_SESSION = Prepared(
    Session,
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    "\x00placeholder-session-key\x00",
)


class SessionStore(DatabaseStore):
    def _get_session_from_db(self) -> Any:
        key = str(self.session_key)  # set: Django loads a session only when it has a key
        rows = _SESSION.rows(key)
        if rows and rows[0][1] > timezone.now():
            data, expires = rows[0]
            return self.model(session_key=key, session_data=data, expire_date=expires)
        self._session_key = None
        return None
