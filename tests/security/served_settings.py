"""chibo's settings for the gunicorn tests, with only the password hasher swapped.

PBKDF2 costs ~0.5 s a login on this machine; the throttle tests log in some
fifty times. Everything else is chibo.settings as deployed.
"""

from chibo.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
