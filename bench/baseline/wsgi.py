import os

from django.core.wsgi import get_wsgi_application

# Forced, not defaulted: the server runs with the replicas' environment, which may name Nexus's.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"

application = get_wsgi_application()
