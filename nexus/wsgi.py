import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

django_application = get_wsgi_application()

# Imported once Django is set up: the middleware's module uses DRF.
from nexus.core.middleware import ChunkedBodyLimit  # noqa: E402

application = ChunkedBodyLimit(django_application)
