"""Production settings: the base settings behind HTTPS, strict by default.

`DJANGO_SETTINGS_MODULE=sawt.config.settings_production` with SAWT_SECRET_KEY and
SAWT_ALLOWED_HOSTS set passes `manage.py check --deploy --fail-level WARNING`. Each protection
can be loosened from the environment for a known reason; loosening one also silences its
deploy check, so the check stays a list of surprises rather than of known choices.
"""

from __future__ import annotations

import os

from sawt.config.settings import *  # noqa: F403
from sawt.config.settings import _env_bool

DEBUG = False
SAWT_PRODUCTION = True

# TLS: redirect plain HTTP, and tell browsers to use HTTPS only for a year.
SECURE_SSL_REDIRECT = _env_bool("SAWT_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SAWT_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SAWT_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("SAWT_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS, Django learns the scheme from the proxy's header; without
# it SECURE_SSL_REDIRECT would redirect forever. Only set this when the proxy sets the header.
if SAWT_BEHIND_PROXY:  # noqa: F405 (the base settings read it; the lockout uses it too)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("SAWT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Cookies over HTTPS only, whatever SAWT_SECURE_COOKIES says in the base settings.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

_LOOSENED = {
    "security.W008": not SECURE_SSL_REDIRECT,
    "security.W004": not SECURE_HSTS_SECONDS,
    "security.W005": not SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "security.W021": not SECURE_HSTS_PRELOAD,
}
SILENCED_SYSTEM_CHECKS = [check for check, loosened in _LOOSENED.items() if loosened]
