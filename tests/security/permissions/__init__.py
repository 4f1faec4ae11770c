"""The permission matrix's table: who may call each REST route, GraphQL field and web page.

Each row names one thing (a route and method, a field, a page and method), optionally the
object it acts on, and the roles allowed; every other role must be refused. The test asks every
row as each of the five roles and fails on any difference, and on anything that has no row.
"""

from tests.security.matrix import Rule
from tests.security.permissions.graphql import GRAPHQL
from tests.security.permissions.rest import REST
from tests.security.permissions.web import WEB

TABLE: list[Rule] = [*REST, *GRAPHQL, *WEB]
