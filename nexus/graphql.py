"""The root GraphQL schema, merged from each app's Query and Mutation."""

import strawberry
from django.views.decorators.csrf import csrf_exempt

from nexus.accounts import schema as accounts_schema
from nexus.challenges import schema as challenges_schema
from nexus.collab import schema as collab_schema
from nexus.core.graphql import AuthenticatedGraphQLView, schema_extensions
from nexus.funding import schema as funding_schema
from nexus.importer import schema as importer_schema
from nexus.journal import cohort_schema
from nexus.journal import schema as journal_schema
from nexus.knowledge import schema as knowledge_schema
from nexus.mentorship import article_schema
from nexus.mentorship import schema as mentorship_schema
from nexus.notifications import schema as notifications_schema
from nexus.payments import schema as payments_schema
from nexus.search import schema as search_schema


@strawberry.type
class Query(
    accounts_schema.Query,
    collab_schema.Query,
    knowledge_schema.Query,
    challenges_schema.Query,
    importer_schema.Query,
    journal_schema.Query,
    cohort_schema.Query,
    mentorship_schema.Query,
    article_schema.Query,
    notifications_schema.Query,
    funding_schema.Query,
    search_schema.Query,
    payments_schema.Query,
):
    pass


@strawberry.type
class Mutation(
    accounts_schema.Mutation,
    collab_schema.Mutation,
    knowledge_schema.Mutation,
    challenges_schema.Mutation,
    importer_schema.Mutation,
    journal_schema.Mutation,
    cohort_schema.Mutation,
    mentorship_schema.Mutation,
    article_schema.Mutation,
    notifications_schema.Mutation,
    payments_schema.Mutation,
    funding_schema.Mutation,
):
    pass


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=schema_extensions())

# CSRF is enforced by the view itself for session-authenticated requests (as in the REST API);
# token-authenticated clients have no cookie to forge.
graphql_view = csrf_exempt(AuthenticatedGraphQLView.as_view(schema=schema))
