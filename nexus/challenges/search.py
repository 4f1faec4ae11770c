"""What challenges contribute to the search index: challenges, with their solutions' text.

Every challenge is public (anyone may open its page), so every entry is visible to everyone.
Duplicates stay out of the index: their page points to the original, which is the one hit.
Solutions are folded into their challenge's body (accepted one first), so words only a solution
uses find the challenge; a solved challenge gets a small votes bonus so it ranks first among
equally relevant ones (the provider API has no other ranking lever).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import Viewer
from nexus.challenges.models import Challenge, ChallengeStatus, Solution
from nexus.core.markdown import plain_text
from nexus.search import registry
from nexus.search.registry import Facet, IndexEntry, SearchProvider, Visibility, author_names

SOLVED_VOTES_BONUS = 5
# Events about a challenge's text that carry it as payload["challenge_id"] rather than as their
# subject (a solution, or none so that followers are not notified of edits).
CHALLENGE_ID_EVENTS = frozenset({"solution.accepted", "solution.updated", "challenge.updated"})


def _plain(body_html: str, body: str) -> str:
    return plain_text(body_html) if body_html else body


# Where `queryset` puts the prefetched relations, as plain lists (to_attr): Django otherwise
# builds a related manager's queryset per challenge and relation, which was most of re-indexing an
# import.
TECHNOLOGIES_ATTR = "indexed_technologies"
TAGS_ATTR = "indexed_tags"
SOLUTIONS_ATTR = "indexed_solutions"


@registry.register("challenge")
class ChallengeSearch(SearchProvider):
    model = Challenge
    label = "Challenges"

    def queryset(self) -> QuerySet[Challenge]:
        solutions = Solution.objects.order_by("-score", "id").only(
            "id", "challenge_id", "body", "body_html", "score"
        )
        return Challenge.objects.prefetch_related(
            author_names(),
            Prefetch("technologies", to_attr=TECHNOLOGIES_ATTR),
            Prefetch("tags", to_attr=TAGS_ATTR),
            Prefetch("solutions", queryset=solutions, to_attr=SOLUTIONS_ATTR),
        )

    def to_document(self, obj: Challenge) -> IndexEntry | None:
        if obj.status == ChallengeStatus.DUPLICATE:
            return None
        prefetched: list[Solution] = getattr(obj, SOLUTIONS_ATTR)
        solutions = sorted(prefetched, key=lambda s: s.pk != obj.accepted_solution_id)
        body = "\n\n".join(
            [_plain(obj.body_html, obj.body), *(_plain(s.body_html, s.body) for s in solutions)]
        )
        solved = obj.status == ChallengeStatus.SOLVED
        return IndexEntry(
            title=obj.title,
            body=body,
            url=obj.get_absolute_url(),
            technologies=[Facet(tech.slug, tech.name) for tech in getattr(obj, TECHNOLOGIES_ATTR)],
            tags=[Facet(tag.name, tag.name) for tag in getattr(obj, TAGS_ATTR)],
            owner_id=obj.author_id,
            author_name=obj.author.display_name,
            status=obj.status,
            visibility=Visibility.PUBLIC,
            freshness=obj.updated_at,
            votes=max(obj.score, 0) + (SOLVED_VOTES_BONUS if solved else 0),
        )

    def visible_ids(self, user: Viewer, ids: Iterable[int]) -> set[int]:
        return set(
            Challenge.objects.filter(pk__in=list(ids))
            .exclude(status=ChallengeStatus.DUPLICATE)
            .values_list("pk", flat=True)
        )

    def ids_for_event(self, event: Any) -> Iterable[int]:
        if event.name in CHALLENGE_ID_EVENTS:
            challenge_id = (event.payload or {}).get("challenge_id")
            if isinstance(challenge_id, int):
                return [challenge_id]
        return ()
