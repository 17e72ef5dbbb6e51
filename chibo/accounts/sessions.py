"""Sessions in the database (Django's ``db`` engine), read by a statement compiled once.

``SESSION_ENGINE``: every signed-in request reads its session; the ORM's ``get`` cost ~0.5 ms
of Python a request (issue 22, ``GET /api/v1/members?q=`` at 400,000 members). The statement
is the ORM's (``core.prepared.Prepared``); the expiry is compared as the ORM's query compares
it (``expire_date > now``). Writing, deleting and clearing are Django's own.

Once the process has read a session, it knows which user the session names, and reads the
session and that user with their roles in force today in one statement
(``core.prepared.Beside``: the two compiled ORM statements side by side);
``SignedInUser.get_user`` takes that user if the session's data names the same one, and reads
it by itself otherwise. Issue 22: one round trip less on every signed-in request after a
session's first in a process.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from chibo.accounts import backends
from chibo.core.prepared import Beside, Prepared

_SESSION = Prepared(
    Session,
    lambda key: Session.objects.filter(session_key=key).values_list("session_data", "expire_date"),
    "\x00placeholder-session-key\x00",
)


# Which user each session named when this process last read it (a session's user never
# changes: a login gives a new key, a logout deletes it). Only a guess of which user row to
# read with the session: the row is used only if the session's own data names that user.
_USER_OF: dict[str, int] = {}
USERS_KEPT = 20_000  # sessions remembered per process (emptied beyond: ~2 MB)
_BOTH: Beside | None = None


def _session_and_user() -> Beside:
    global _BOTH
    if _BOTH is None:
        _BOTH = Beside(_SESSION, backends.user_and_roles()[0])
    return _BOTH


class SessionStore(DatabaseStore):
    def _get_session_from_db(self) -> Any:
        key = str(self.session_key)  # set: Django loads a session only when it has a key
        user_id = _USER_OF.get(key)
        if user_id is None:
            rows = _SESSION.rows(key)
        else:  # the session and its user with their roles: one statement
            both = _session_and_user().rows((key,), (user_id, timezone.localdate()))
            rows = [both[0][0]] if both else []
            users = [user for _session, user in both if user is not None]
            backends.read_with_session(user_id, users)
        if rows and rows[0][1] > timezone.now():
            data, expires = rows[0]
            return self.model(session_key=key, session_data=data, expire_date=expires)
        self._session_key = None
        return None

    def load(self) -> dict[str, Any]:
        data = super().load()
        user_id = data.get(SESSION_KEY)
        if user_id is not None and self.session_key:
            try:
                named = int(user_id)
            except (TypeError, ValueError):
                return data
            if len(_USER_OF) >= USERS_KEPT:
                _USER_OF.clear()
            _USER_OF[self.session_key] = named
        return data
