"""GraphQL types, queries and mutations for challenges; they mirror the REST resources."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.schema import UserType
from nexus.challenges import selectors, services
from nexus.challenges.models import Challenge, Solution
from nexus.challenges.similarity import similar_challenges
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_from_id, pk_or_not_found
from nexus.knowledge import selectors as knowledge_selectors

SIMILAR_MAX = 20


@strawberry_django.type(Solution, name="Solution")
class SolutionType:
    id: strawberry.auto
    body: strawberry.auto
    body_html: strawberry.auto
    score: strawberry.auto
    created_at: strawberry.auto
    outdated_since: strawberry.auto
    outdated_reason: strawberry.auto
    author: UserType

    @strawberry_django.field(select_related=["challenge"], only=["challenge__accepted_solution"])
    def is_accepted(self) -> bool:
        solution = cast(Solution, self)
        return solution.challenge.accepted_solution_id == solution.pk


@strawberry_django.type(Challenge, name="Challenge")
class ChallengeType:
    id: strawberry.auto
    title: strawberry.auto
    body: strawberry.auto
    body_html: strawberry.auto
    excerpt: strawberry.auto
    status: strawberry.auto
    score: strawberry.auto
    answer_count: strawberry.auto
    created_at: strawberry.auto
    solved_at: strawberry.auto
    author: UserType
    solutions: list[SolutionType]

    @strawberry_django.field(only=["accepted_solution"])
    def accepted_solution(self) -> strawberry.ID | None:
        pk = cast(Challenge, self).accepted_solution_id
        return strawberry.ID(str(pk)) if pk else None

    @strawberry_django.field(only=["duplicate_of"])
    def duplicate_of(self) -> strawberry.ID | None:
        pk = cast(Challenge, self).duplicate_of_id
        return strawberry.ID(str(pk)) if pk else None

    @strawberry_django.field(prefetch_related=["technologies"])
    def technologies(self) -> list[str]:
        return [tech.slug for tech in cast(Challenge, self).technologies.all()]

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self) -> list[str]:
        return [tag.name for tag in cast(Challenge, self).tags.all()]

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Challenge], info: Info, **kwargs: Any
    ) -> QuerySet[Challenge]:
        return queryset.order_by("-created_at", "-id")


@strawberry_django.filter_type(Challenge, lookups=True)
class ChallengeFilter:
    status: strawberry.auto
    answer_count: strawberry.auto


@strawberry.type
class SimilarChallenge:
    challenge: ChallengeType
    similarity: float


@strawberry.type
class LeaderboardRow:
    rank: int
    user: UserType
    points: int


@strawberry.type
class ChallengeResult:
    challenge: ChallengeType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class SolutionResult:
    solution: SolutionType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    challenges: OffsetPaginated[ChallengeType] = strawberry_django.offset_paginated(
        filters=ChallengeFilter
    )

    @strawberry_django.field
    def challenge(self, id: strawberry.ID) -> ChallengeType | None:
        if (pk := pk_from_id(id)) is None:
            return None
        return cast(ChallengeType | None, selectors.challenge_get(pk=pk))

    @strawberry_django.field
    def similar_challenges(self, text: str, limit: int = 5) -> list[SimilarChallenge]:
        found = similar_challenges(text=text[:300], limit=max(1, min(limit, SIMILAR_MAX)))
        return [
            SimilarChallenge(challenge=cast(ChallengeType, s.challenge), similarity=s.similarity)
            for s in found
        ]

    @strawberry_django.field
    def challenge_leaderboard(self, technology: str | None = None) -> list[LeaderboardRow]:
        tech = None
        if technology:
            tech = knowledge_selectors.technology_list().filter(slug=technology).first()
            if tech is None:
                return []
        return [
            LeaderboardRow(rank=row.rank, user=cast(UserType, row.user), points=row.points)
            for row in selectors.leaderboard(technology=tech)
        ]


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_challenge(
        self,
        info: Info,
        title: str,
        body: str,
        technologies: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> ChallengeResult:
        challenge = services.challenge_create(
            author=authenticated_user(info.context.request),
            title=title,
            body=body,
            technologies=technologies or [],
            tags=tags or [],
        )
        return ChallengeResult(challenge=cast(ChallengeType, challenge))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def post_solution(self, info: Info, challenge_id: strawberry.ID, body: str) -> SolutionResult:
        challenge = selectors.challenge_get(pk=pk_or_not_found(challenge_id, field="challenge_id"))
        if challenge is None:
            raise NotFound(field="challenge_id")
        solution = services.solution_create(
            challenge=challenge, author=authenticated_user(info.context.request), body=body
        )
        return SolutionResult(solution=cast(SolutionType, solution))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def vote_challenge(self, info: Info, id: strawberry.ID, value: int) -> ChallengeResult:
        challenge = selectors.challenge_get(pk=pk_or_not_found(id))
        if challenge is None:
            raise NotFound(field="id")
        challenge = services.challenge_vote(
            challenge=challenge, user=authenticated_user(info.context.request), value=value
        )
        return ChallengeResult(challenge=cast(ChallengeType, challenge))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def vote_solution(self, info: Info, id: strawberry.ID, value: int) -> SolutionResult:
        solution = selectors.solution_get(pk=pk_or_not_found(id))
        if solution is None:
            raise NotFound(field="id")
        solution = services.solution_vote(
            solution=solution, user=authenticated_user(info.context.request), value=value
        )
        return SolutionResult(solution=cast(SolutionType, solution))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def accept_solution(
        self, info: Info, challenge_id: strawberry.ID, solution_id: strawberry.ID | None = None
    ) -> ChallengeResult:
        """Accept a solution of the challenge, or pass solutionId null to take it back."""
        challenge = selectors.challenge_get(pk=pk_or_not_found(challenge_id, field="challenge_id"))
        if challenge is None:
            raise NotFound(field="challenge_id")
        if solution_id is not None and (
            selectors.solution_get(pk=pk_or_not_found(solution_id, field="solution_id")) is None
        ):
            raise NotFound(field="solution_id")
        challenge = services.challenge_apply_changes(
            challenge=challenge,
            actor=authenticated_user(info.context.request),
            accepted_solution=None if solution_id is None else int(solution_id),
        )
        return ChallengeResult(challenge=cast(ChallengeType, challenge))
