"""`nexus export_schema nexus.graphql`: strawberry_django's command, kept without its app.

strawberry_django is not an installed app: its package imports the whole GraphQL stack (and
GeoDjango) on import, which every Django process would pay at start-up. The schema loads with
the first GraphQL request instead; this module loads only when the command runs.
"""

from strawberry_django.management.commands.export_schema import Command

__all__ = ["Command"]
