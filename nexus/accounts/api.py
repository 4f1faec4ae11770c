"""REST endpoints for accounts: sign-up, logins, the current user, API tokens, public profiles."""

from collections.abc import Sequence
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView

from nexus.accounts import login_limits, selectors, services
from nexus.accounts.models import ApiToken, Team, TeamRole, Track, User
from nexus.core.auth import authenticated_user
from nexus.core.client_address import client_address
from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body
from nexus.core.serializers import StrictSerializer

SIGNUP_STARTED = (
    "Check your e-mail: to finish signing up, open the link we sent and enter your password."
)


class PublicUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "display_name", "bio", "avatar_url", "track", "cohort", "role")
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "display_name",
            "bio",
            "avatar_url",
            "track",
            "cohort",
            "role",
            "date_joined",
        )
        read_only_fields = fields


class RegisterInput(StrictSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    display_name = serializers.CharField(max_length=80)
    track = serializers.ChoiceField(choices=Track.choices, default=Track.BACKEND)
    cohort = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)


class ProfileInput(StrictSerializer):
    display_name = serializers.CharField(max_length=80, required=False)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    avatar_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    cohort = serializers.CharField(max_length=80, required=False, allow_blank=True)


class SignupConfirmInput(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(trim_whitespace=False, max_length=128)


class PasswordChangeInput(StrictSerializer):
    old_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False, max_length=128)


class PasswordResetInput(StrictSerializer):
    email = serializers.EmailField()


class PasswordResetConfirmInput(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(trim_whitespace=False, max_length=128)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        )
        read_only_fields: tuple[str, ...] = fields


class ApiTokenInput(StrictSerializer):
    name = serializers.CharField(max_length=80)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(help_text="The token itself. It is shown only this once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "key")
        read_only_fields = fields


class AuthRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, per client address, refusing everyone when the cache is down."""

    def get_ident(self, request: Request) -> str:
        return client_address(request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        try:
            return super().allow_request(request, view)
        except login_limits.CACHE_ERRORS as exc:
            raise login_limits.LimiterUnavailable(
                "Signing in is unavailable for a moment. Try again shortly.",
                retry_after=login_limits.UNAVAILABLE_RETRY_SECONDS,
            ) from exc


class PasswordChecking(APIView):
    """Answers a password check the login limiter refused: 429 (503 when it cannot count) as a
    problem naming the password field, with Retry-After."""

    # The field a refusal is reported on: the view's password field, where it checks one.
    password_field = "__all__"

    def handle_exception(self, exc: Exception) -> Response:
        refusal = exc if isinstance(exc, login_limits.LoginRefused) else None
        refusal = refusal or login_limits.refusal_of(self.request)
        if refusal is None:
            return super().handle_exception(exc)
        error = {"field": self.password_field, "code": refusal.code, "message": refusal.message}
        body = problem_body(
            refusal.status, detail=refusal.message, code=refusal.code, errors=[error]
        )
        return Response(
            body,
            status=refusal.status,
            headers={"Retry-After": str(refusal.retry_after)},
            content_type=PROBLEM_CONTENT_TYPE,
        )


class AuthThrottled(PasswordChecking):
    throttle_classes: Sequence[type[BaseThrottle]] = (AuthRateThrottle,)
    throttle_scope = "auth"


class TokenObtainApi(AuthThrottled, TokenObtainPairView):
    """JWT pair for an e-mail and password, limited like every password check."""

    password_field = "password"


SIGNUP_STARTED_RESPONSE = OpenApiResponse(
    inline_serializer("SignupStarted", {"detail": serializers.CharField()}),
    description="The same answer whether or not the address already has an account.",
)


class RegisterApi(AuthThrottled):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=RegisterInput, responses={202: SIGNUP_STARTED_RESPONSE}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Start a sign-up: a link to confirm it is e-mailed (or, if the address has an account
        already, a notice to its owner); the answer never says which."""
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_register(base_url=request.build_absolute_uri("/"), **data.validated_data)
        return Response({"detail": SIGNUP_STARTED}, status=status.HTTP_202_ACCEPTED)


class RegisterConfirmApi(AuthThrottled):
    permission_classes = (permissions.AllowAny,)
    password_field = "password"

    @extend_schema(request=SignupConfirmInput, responses={200: MeSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Activate an account from the e-mailed link's uid and token and the sign-up password."""
        data = SignupConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_confirm_signup(
            client_address=client_address(request), **data.validated_data
        )
        return Response(MeSerializer(user).data)


class PasswordResetApi(AuthThrottled):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=PasswordResetInput, responses={202: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        """Send a reset link if the account exists; the answer never says whether it does."""
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(
            email=data.validated_data["email"], base_url=request.build_absolute_uri("/")
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(AuthThrottled):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=PasswordResetConfirmInput, responses={204: None}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(responses=MeSerializer, tags=["me"])
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(authenticated_user(request)).data)

    @extend_schema(request=ProfileInput, responses=MeSerializer, tags=["me"])
    def patch(self, request: Request) -> Response:
        data = ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        me = authenticated_user(request)
        user = services.user_update_profile(actor=me, user=me, **data.validated_data)
        return Response(MeSerializer(user).data)


class MePasswordApi(PasswordChecking):
    permission_classes = (permissions.IsAuthenticated,)
    password_field = "old_password"

    @extend_schema(request=PasswordChangeInput, responses={204: None}, tags=["me"])
    def post(self, request: Request) -> Response:
        """Change the password (limited like a login); every JWT and other session ends."""
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        me = authenticated_user(request)
        services.user_change_password(
            actor=me, user=me, client_address=client_address(request), **data.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeLogOutEverywhereApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(request=None, responses={204: None}, tags=["me"])
    def post(self, request: Request) -> Response:
        """End every session and JWT of the account, this request's too; API tokens stay."""
        me = authenticated_user(request)
        services.user_log_out_everywhere(actor=me, user=me)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["me"])
class MeTokenViewSet(viewsets.GenericViewSet):
    """Personal API tokens: list, create (the key is shown once), revoke."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return selectors.api_token_list(user=authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApiTokenSerializer(page, many=True).data)

    @extend_schema(request=ApiTokenInput, responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = ApiTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=authenticated_user(request), **data.validated_data
        )
        body = {**ApiTokenSerializer(token).data, "key": key}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        # Scoped to the user's own tokens: someone else's is a 404, not a 403.
        token = get_object_or_404(self.get_queryset(), pk=pk)
        services.api_token_revoke(actor=authenticated_user(request), token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["users"])
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public profiles."""

    serializer_class = PublicUserSerializer
    queryset = selectors.user_list()
    filterset_fields = ("role", "track", "cohort")
    ordering_fields = ("display_name", "created_at")
    ordering = ("display_name", "id")


class TeamMemberSerializer(serializers.Serializer):
    user = PublicUserSerializer(read_only=True)
    role = serializers.CharField(read_only=True)


class TeamSerializer(serializers.ModelSerializer):
    members = TeamMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ("id", "slug", "name", "description", "members", "created_at")
        read_only_fields = fields


class TeamInput(StrictSerializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class TeamMemberInput(StrictSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=selectors.user_list())
    role = serializers.ChoiceField(choices=TeamRole.choices)


@extend_schema(tags=["teams"])
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Teams and their members; owners manage members with roles owner / backend / frontend."""

    serializer_class = TeamSerializer
    queryset = selectors.team_list()
    lookup_field = "slug"
    ordering_fields = ("name", "created_at")
    ordering = ("name", "id")

    @extend_schema(request=TeamInput, responses={201: TeamSerializer})
    def create(self, request: Request) -> Response:
        data = TeamInput(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(creator=authenticated_user(request), **data.validated_data)
        return Response(
            TeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=TeamInput, responses=TeamSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        team = self.get_object()
        data = TeamInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.team_update(actor=authenticated_user(request), team=team, **data.validated_data)
        return Response(TeamSerializer(self.get_queryset().get(pk=team.pk)).data)

    @extend_schema(request=TeamMemberInput, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request: Request, slug: str) -> Response:
        """Add a member, or change a member's role."""
        team = self.get_object()
        data = TeamMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.team_member_set(
            actor=authenticated_user(request), team=team, **data.validated_data
        )
        return Response(TeamSerializer(self.get_queryset().get(pk=team.pk)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>\d+)")
    def remove_member(self, request: Request, slug: str, user_id: str) -> Response:
        team = self.get_object()
        user = get_object_or_404(User, pk=user_id)
        services.team_member_remove(actor=authenticated_user(request), team=team, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
