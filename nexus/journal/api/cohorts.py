"""Cohorts over REST: the cohorts, their members and mentors, invitations, and accepting one."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.core import clock, conditional
from nexus.core.auth import authenticated_user
from nexus.core.pagination import CursorPagination
from nexus.core.serializers import StrictSerializer
from nexus.journal import policies, selectors, services
from nexus.journal.models import Cohort, CohortInvitation, CohortMembership, Program
from nexus.journal.services.cohorts import MAX_INVITATION_USES, MAX_NAME_LENGTH

MAX_MENTORS = 50


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CohortSerializer(serializers.ModelSerializer):
    program: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    mentors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Cohort
        fields = (
            "id",
            "name",
            "description",
            "program",
            "start_date",
            "archived_at",
            "mentors",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    learner = PersonSerializer(read_only=True)
    mentors = PersonSerializer(many=True, read_only=True)
    cohort = serializers.IntegerField(source="cohort_id", read_only=True)

    class Meta:
        model = CohortMembership
        fields = ("cohort", "learner", "mentors", "joined_at", "left_at")
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    token = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = CohortInvitation
        fields = (
            "id",
            "email",
            "expires_at",
            "max_uses",
            "uses",
            "revoked_at",
            "state",
            "token",
            "url",
            "created_at",
        )
        read_only_fields = fields

    def get_state(self, invitation: CohortInvitation) -> str:
        return invitation.state(clock.now())

    def get_url(self, invitation: CohortInvitation) -> str:
        """The join page's link, relative to the site."""
        return reverse("journal_join", kwargs={"token": invitation.token})


class CohortInput(StrictSerializer):
    program = serializers.SlugField(max_length=80, required=False)
    name = serializers.CharField(max_length=MAX_NAME_LENGTH)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    start_date = serializers.DateField()
    mentors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=MAX_MENTORS,
        required=False,
    )


class CohortChange(StrictSerializer):
    name = serializers.CharField(max_length=MAX_NAME_LENGTH, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    archived = serializers.BooleanField(required=False)


class MentorsInput(StrictSerializer):
    mentors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=MAX_MENTORS
    )


class MemberInput(StrictSerializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class InvitationInput(StrictSerializer):
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    expires_at = serializers.DateTimeField(required=False)
    max_uses = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_INVITATION_USES
    )


def _people(ids: list[int], field: str) -> list[User]:
    """Active users by id, or a field error naming the ids that are not."""
    found = list(User.objects.filter(pk__in=ids, is_active=True))
    missing = sorted(set(ids) - {user.pk for user in found})
    if missing:
        raise serializers.ValidationError({field: [f"No such active user: {missing}."]})
    return found


def _program(slug: str | None) -> Program:
    program = (
        selectors.default_program() if slug is None else Program.objects.filter(slug=slug).first()
    )
    if program is None:
        raise serializers.ValidationError({"program": ["No such program."]})
    return program


def _cohort(request: Request, cohort_id: int) -> Cohort:
    """The cohort of the URL if the caller may see it (404 otherwise)."""
    cohort = get_object_or_404(selectors.cohort_list().prefetch_related("mentors"), pk=cohort_id)
    if not policies.can_view_cohort(request.user, cohort):
        raise Http404("No such cohort.")
    return cohort


def _managed(request: Request, cohort_id: int) -> Cohort:
    """The cohort of the URL, 403 for a viewer who may not see its people."""
    cohort = _cohort(request, cohort_id)
    if not policies.can_view_cohort_people(request.user, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins see its people.")
    return cohort


class ByStartPagination(CursorPagination):
    ordering = ("-start_date", "-id")


class ByJoinedPagination(CursorPagination):
    ordering = ("joined_at", "id")


class NewestPagination(CursorPagination):
    ordering = ("-created_at", "-id")


def _paginated(
    view: APIView, paginator: CursorPagination, queryset: QuerySet[Any], out: Any
) -> Response:
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(out(page, many=True).data)


@extend_schema(tags=["cohorts"])
class CohortListApi(APIView):
    """Cohorts the caller may see (mentors and admins: all; learners: theirs); mentors and admins
    start them."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        parameters=[OpenApiParameter("archived", bool, description="only archived, or only live")],
        responses=CohortSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        archived = request.query_params.get("archived")
        if archived not in (None, "true", "false"):
            raise serializers.ValidationError({"archived": ["Send true or false."]})
        cohorts = selectors.cohorts_visible_to(
            viewer=request.user, archived=None if archived is None else archived == "true"
        )
        return _paginated(self, ByStartPagination(), cohorts, CohortSerializer)

    @extend_schema(request=CohortInput, responses={201: CohortSerializer})
    def post(self, request: Request) -> Response:
        data = CohortInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cohort = services.cohort_create(
            actor=authenticated_user(request),
            program=_program(values.get("program")),
            name=values["name"],
            description=values.get("description", ""),
            start_date=values["start_date"],
            mentors=_people(values.get("mentors", []), "mentors"),
        )
        return Response(CohortSerializer(_cohort(request, cohort.pk)).data, status.HTTP_201_CREATED)


@extend_schema(tags=["cohorts"])
class CohortDetailApi(APIView):
    """One cohort; its mentors and admins rename it, change its dates and archive it."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: CohortSerializer, **conditional.NOT_MODIFIED_RESPONSE},
    )
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        return conditional.read_response(request, cohort, lambda: CohortSerializer(cohort).data)

    @extend_schema(
        request=CohortChange,
        parameters=[conditional.IF_MATCH],
        responses={200: CohortSerializer, **conditional.PRECONDITION_RESPONSES},
    )
    def patch(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        actor = authenticated_user(request)
        # A refusal comes before the precondition: a 428 or 412 is for those who may change it.
        if not policies.can_manage_cohort(actor, cohort):
            raise PermissionDenied("Only the cohort's mentors and admins change it.")
        expected_etag: str | None = conditional.if_match(request)
        data = CohortChange(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        archived = values.pop("archived", None)
        with transaction.atomic():
            if values or archived is None:
                cohort = services.cohort_update(
                    cohort=cohort, actor=actor, expected_etag=expected_etag, **values
                )
                expected_etag = None
            if archived is not None:
                services.cohort_archive(
                    cohort=cohort, actor=actor, archived=archived, expected_etag=expected_etag
                )
        cohort = _cohort(request, cohort_id)
        return conditional.with_etag(Response(CohortSerializer(cohort).data), cohort)


@extend_schema(tags=["cohorts"])
class CohortMentorsApi(APIView):
    """A cohort's mentors; its mentors and admins replace the list."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=PersonSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        return Response(PersonSerializer(cohort.mentors.order_by("display_name"), many=True).data)

    @extend_schema(request=MentorsInput, responses=PersonSerializer(many=True))
    def put(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        data = MentorsInput(data=request.data)
        data.is_valid(raise_exception=True)
        mentors = _people(data.validated_data["mentors"], "mentors")
        services.cohort_set_mentors(
            cohort=cohort, actor=authenticated_user(request), mentors=mentors
        )
        return Response(PersonSerializer(cohort.mentors.order_by("display_name"), many=True).data)


@extend_schema(tags=["cohorts"])
class CohortMembersApi(APIView):
    """Who is in a cohort now, with their mentors; its mentors and admins add people."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed(request, cohort_id)
        members = selectors.cohort_members(cohort=cohort).order_by("joined_at", "id")
        return _paginated(self, ByJoinedPagination(), members, MembershipSerializer)

    @extend_schema(request=MemberInput, responses={201: MembershipSerializer})
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        (learner,) = _people([data.validated_data["user"]], "user")
        membership = services.cohort_add_learner(
            actor=authenticated_user(request), cohort=cohort, learner=learner
        )
        return Response(MembershipSerializer(membership).data, status.HTTP_201_CREATED)


@extend_schema(tags=["cohorts"])
class CohortMemberApi(APIView):
    """One learner in a cohort: assign their mentors (PUT), or take them out (DELETE)."""

    permission_classes = (permissions.IsAuthenticated,)

    def _membership(self, request: Request, cohort_id: int, user_id: int) -> CohortMembership:
        cohort = _managed(request, cohort_id)
        return get_object_or_404(selectors.cohort_members(cohort=cohort), learner_id=user_id)

    @extend_schema(request=MentorsInput, responses=MembershipSerializer)
    def put(self, request: Request, cohort_id: int, user_id: int) -> Response:
        membership = self._membership(request, cohort_id, user_id)
        data = MentorsInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.membership_set_mentors(
            membership=membership,
            actor=authenticated_user(request),
            mentors=_people(data.validated_data["mentors"], "mentors"),
        )
        return Response(MembershipSerializer(self._membership(request, cohort_id, user_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, cohort_id: int, user_id: int) -> Response:
        membership = self._membership(request, cohort_id, user_id)
        services.cohort_remove_learner(
            actor=authenticated_user(request), cohort=membership.cohort, learner=membership.learner
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["cohorts"])
class CohortInvitationsApi(APIView):
    """A cohort's invite links, for its mentors and admins: `{email?, expires_at, max_uses}`."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=InvitationSerializer(many=True))
    def get(self, request: Request, cohort_id: int) -> Response:
        cohort = _managed(request, cohort_id)
        invitations = selectors.cohort_invitations(cohort=cohort)
        return _paginated(self, NewestPagination(), invitations, InvitationSerializer)

    @extend_schema(request=InvitationInput, responses={201: InvitationSerializer})
    def post(self, request: Request, cohort_id: int) -> Response:
        cohort = _cohort(request, cohort_id)
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            cohort=cohort, actor=authenticated_user(request), **data.validated_data
        )
        return Response(InvitationSerializer(invitation).data, status.HTTP_201_CREATED)


@extend_schema(tags=["cohorts"])
class CohortInvitationApi(APIView):
    """Withdraw an invitation (DELETE): its link stops working, who joined stays."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, cohort_id: int, invitation_id: int) -> Response:
        cohort = _managed(request, cohort_id)
        invitation = get_object_or_404(
            selectors.cohort_invitations(cohort=cohort), pk=invitation_id
        )
        services.invitation_revoke(invitation=invitation, actor=authenticated_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["cohorts"])
class InvitationAcceptApi(APIView):
    """Join the invitation's cohort as the caller; accepting again changes nothing."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(request=None, responses=MembershipSerializer)
    def post(self, request: Request, token: str) -> Response:
        membership = services.invitation_accept(token=token, user=authenticated_user(request))
        return Response(MembershipSerializer(membership).data)
