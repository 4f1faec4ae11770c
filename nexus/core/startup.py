"""What a long-lived process (a Celery worker, a web server's worker) loads when it starts, rather
than inside its first task or request."""

from django.urls import get_resolver

from nexus.core.markdown import load_common_lexers


def warm_up() -> None:
    """Load the URLconf (every view module: about 0.9 s, which the first request, or the first
    task that builds a URL, would otherwise pay), build its reverse lookups and load the common
    code lexers. A worker calls it before its pool forks, so the children start with all of it."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (a cached property: loading it imports the URLconf)
    resolver.reverse_dict  # noqa: B018 (built on first use for every route, then kept)
    load_common_lexers()
