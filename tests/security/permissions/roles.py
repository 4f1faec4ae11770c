"""Who, in the table's words: sets of roles, one-line constructors for its rows, and what
several rows send."""

from typing import Any

from nexus.core import clock
from tests.collab.conftest import PETS_V1
from tests.security.matrix import Rule
from tests.security.world import ROLES

NEW_PASSWORD = "an0ther-Long-passphrase"
NEW_SPEC = PETS_V1.replace('version: "1.0"', 'version: "3.0"')  # a third version of the API

ANYONE = frozenset(ROLES)
SIGNED_IN = ANYONE - {"anonymous"}
OWNER = frozenset({"owner"})
# The author, or a mentor or admin (who moderate everybody's content).
OWNER_OR_MODERATOR = frozenset({"owner", "mentor", "admin"})
MODERATORS = frozenset({"mentor", "admin"})
# The owner, or an admin (team owners and the API's maintainers; imports).
OWNER_OR_ADMIN = frozenset({"owner", "admin"})
ADMIN = frozenset({"admin"})
# Everyone signed in but the author: votes never go to one's own post.
NOT_THE_AUTHOR = SIGNED_IN - OWNER


def rest(methods: str, name: str, allow: frozenset[str], **options: Any) -> list[Rule]:
    """One row per method: `rest("PUT PATCH", "article-detail", OWNER, on="article")`."""
    return [Rule("rest", method, name, allow, **options) for method in methods.split()]


def web(methods: str, name: str, allow: frozenset[str], **options: Any) -> list[Rule]:
    return [Rule("web", method, name, allow, **options) for method in methods.split()]


def query(name: str, allow: frozenset[str], document: str, **options: Any) -> list[Rule]:
    return [Rule("graphql", "query", name, allow, document=document, **options)]


def mutation(name: str, allow: frozenset[str], document: str, **options: Any) -> list[Rule]:
    """A mutation row; ERRORS in the document stands for the payload's typed errors."""
    document = document.replace("ERRORS", "errors { code field message }")
    return [Rule("graphql", "mutation", name, allow, document=document, **options)]


def today() -> str:
    """Today's date as forms and serializers read it, on the suite's clock."""
    return clock.today().isoformat()
