"""GraphQL for the knowledge base: the same reads and writes as the REST API."""

from nexus.knowledge.schema.mutations import Mutation
from nexus.knowledge.schema.queries import Query

__all__ = ["Mutation", "Query"]
