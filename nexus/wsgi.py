import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

django_application = get_wsgi_application()

# Imported once Django is set up: the middleware's module uses DRF.
from nexus.core.middleware import ChunkedBodyLimit  # noqa: E402

application = ChunkedBodyLimit(django_application)

# Embedded mode runs imports on this process's own thread: what a stopped one left unfinished is
# begun again now, as nothing else would (production's beat task does it for workers).
from nexus.importer.services import import_jobs_resume_after_restart  # noqa: E402

import_jobs_resume_after_restart()

# As Celery workers do when they start (nexus.core.tasks): the URLconf and the common code lexers
# loaded before the first request, which would otherwise pay for them (about a second) or, in the
# embedded mode, an import on this process's thread would.
from nexus.core.startup import warm_up  # noqa: E402

warm_up()
