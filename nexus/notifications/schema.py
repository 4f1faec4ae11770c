"""GraphQL types, queries and mutations for notifications and follows."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.schema import UserType
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_from_id, pk_or_not_found
from nexus.notifications import selectors, services
from nexus.notifications.models import Notification, Subscription


@strawberry_django.type(Notification, name="Notification")
class NotificationType:
    id: strawberry.auto
    event_name: strawberry.auto = strawberry_django.field(name="event")
    title: strawberry.auto
    url: strawberry.auto
    subject_type: strawberry.auto
    subject_id: strawberry.auto
    read_at: strawberry.auto
    created_at: strawberry.auto
    actor: UserType | None

    @strawberry_django.field(only=["read_at"])
    def is_read(self) -> bool:
        return cast(Notification, self).read_at is not None

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Notification], info: Info, **kwargs: Any
    ) -> QuerySet[Notification]:
        user = info.context.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(recipient=user).order_by("-created_at", "-id")


@strawberry_django.filter_type(Notification, lookups=True)
class NotificationFilter:
    event_name: strawberry.auto = strawberry_django.filter_field(name="event")
    read_at: strawberry.auto


@strawberry_django.type(Subscription, name="Subscription")
class SubscriptionType:
    id: strawberry.auto
    target_type: strawberry.auto
    target_id: strawberry.auto
    created_at: strawberry.auto

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Subscription], info: Info, **kwargs: Any
    ) -> QuerySet[Subscription]:
        user = info.context.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(user=user).order_by("-created_at", "-id")


@strawberry.type
class NotificationResult:
    notification: NotificationType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class SubscriptionResult:
    subscription: SubscriptionType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    notifications: OffsetPaginated[NotificationType] = strawberry_django.offset_paginated(
        filters=NotificationFilter, extensions=[IsAuthenticated()]
    )
    subscriptions: OffsetPaginated[SubscriptionType] = strawberry_django.offset_paginated(
        extensions=[IsAuthenticated()]
    )

    @strawberry_django.field(extensions=[IsAuthenticated()])
    def unread_notification_count(self, info: Info) -> int:
        return selectors.unread_count(user=authenticated_user(info.context.request))


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def mark_notification_read(self, info: Info, id: strawberry.ID) -> NotificationResult:
        user = authenticated_user(info.context.request)
        notification = selectors.notification_list(user=user).filter(pk=pk_or_not_found(id)).first()
        if notification is None:
            raise NotFound(field="id")
        services.notification_mark_read(notification=notification, actor=user)
        return NotificationResult(notification=cast(NotificationType, notification))

    @strawberry_django.mutation(extensions=[IsAuthenticated()])
    def mark_all_notifications_read(self, info: Info) -> int:
        return services.notifications_mark_all_read(user=authenticated_user(info.context.request))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def follow(self, info: Info, target_type: str, target_id: str) -> SubscriptionResult:
        subscription = services.subscription_create(
            user=authenticated_user(info.context.request),
            target_type=target_type,
            target_id=target_id,
        )
        return SubscriptionResult(subscription=cast(SubscriptionType, subscription))

    @strawberry_django.mutation(extensions=[IsAuthenticated()])
    def unfollow(self, info: Info, id: strawberry.ID) -> bool:
        user = authenticated_user(info.context.request)
        pk = pk_from_id(id)
        found = None if pk is None else selectors.subscription_list(user=user).filter(pk=pk).first()
        if found is None:
            return False
        services.subscription_delete(subscription=found, actor=user)
        return True
