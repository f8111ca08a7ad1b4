"""WSGI entry point (gunicorn serves it through `sawt serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
application = get_wsgi_application()
