"""GraphQL types, queries and mutations for accounts."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts import selectors, services
from nexus.accounts.models import User
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, integer_id


@strawberry_django.type(User, name="User", description="A public profile.")
class UserType:
    id: strawberry.auto
    display_name: strawberry.auto
    bio: strawberry.auto
    avatar_url: strawberry.auto
    track: strawberry.auto
    cohort: strawberry.auto
    role: strawberry.auto

    @classmethod
    def get_queryset(cls, queryset: QuerySet[User], info: Info, **kwargs: Any) -> QuerySet[User]:
        return queryset.filter(is_active=True).order_by("display_name", "id")


@strawberry_django.type(User, name="Me", description="The signed-in user.")
class MeType(UserType):
    email: strawberry.auto
    date_joined: strawberry.auto


@strawberry_django.filter_type(User, lookups=True)
class UserFilter:
    role: strawberry.auto
    track: strawberry.auto
    cohort: strawberry.auto


@strawberry.input
class ProfileInput:
    display_name: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    avatar_url: str | None = strawberry.UNSET
    track: str | None = strawberry.UNSET
    cohort: str | None = strawberry.UNSET


@strawberry.type
class ProfileUpdateResult:
    user: MeType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry_django.field(extensions=[IsAuthenticated()])
    def me(self, info: Info) -> MeType:
        return cast(MeType, authenticated_user(info.context.request))

    users: OffsetPaginated[UserType] = strawberry_django.offset_paginated(filters=UserFilter)

    @strawberry_django.field
    def user(self, id: strawberry.ID) -> UserType | None:
        return cast(UserType | None, selectors.user_list().filter(pk=integer_id(id)).first())


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def update_profile(self, info: Info, data: ProfileInput) -> ProfileUpdateResult:
        fields = cast(dict[str, str | None], strawberry.asdict(data))
        changes = {k: v for k, v in fields.items() if v is not strawberry.UNSET}
        me = authenticated_user(info.context.request)
        user = services.user_update_profile(actor=me, user=me, **changes)
        return ProfileUpdateResult(user=cast(MeType, user))
