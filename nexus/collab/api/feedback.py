"""REST: endpoint feedback, its replies and its aggregates."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.collab import selectors
from nexus.collab.api.serializers import FeedbackSerializer
from nexus.collab.models import Api, EndpointFeedback, Operation
from nexus.collab.services import feedback as feedback_services
from nexus.core.auth import authenticated_user
from nexus.core.filters import BooleanFilter
from nexus.core.serializers import StrictSerializer


def _score() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class FeedbackInput(StrictSerializer):
    operation = serializers.PrimaryKeyRelatedField(
        queryset=Operation.objects.all(), help_text="The id of an operation (any version)."
    )
    naming = _score()
    error_messages = _score()  # type: ignore[assignment]
    documentation = _score()
    consistency = _score()
    performance = _score()
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    example = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ReplyInput(StrictSerializer):
    reply = serializers.CharField(max_length=5000)
    addressed = serializers.BooleanField(default=False)


class FeedbackFilter(django_filters.FilterSet):
    api = django_filters.CharFilter(field_name="api__slug")
    operation = django_filters.CharFilter(field_name="operation_key")
    addressed = BooleanFilter(field_name="addressed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = EndpointFeedback
        fields = ("api", "operation", "author", "addressed")


@extend_schema(tags=["feedback"])
class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ratings of operations (1-5 on five aspects), with the owning team's replies."""

    serializer_class = FeedbackSerializer
    queryset = selectors.feedback_list()
    filterset_class = FeedbackFilter
    ordering_fields = ("created_at",)

    @extend_schema(request=FeedbackInput, responses={201: FeedbackSerializer})
    def create(self, request: Request) -> Response:
        data = FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_services.feedback_submit(
            author=authenticated_user(request), **data.validated_data
        )
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplyInput, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        """The owning team replies, and may mark the feedback addressed."""
        feedback = self.get_object()
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_services.feedback_reply(
            feedback=feedback, actor=authenticated_user(request), **data.validated_data
        )
        return Response(FeedbackSerializer(feedback).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("api", str, required=True),
            OpenApiParameter("operation", str, description="An operation key, e.g. 'GET /pets'."),
        ],
        responses=inline_serializer(
            "FeedbackSummary",
            {
                "count": serializers.IntegerField(),
                "addressed": serializers.IntegerField(),
                "averages": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                "overall": serializers.FloatField(allow_null=True),
            },
        ),
    )
    @action(detail=False, methods=["get"], filterset_class=None)
    def summary(self, request: Request) -> Response:
        """Average scores for an API, or for one of its operations."""
        api = get_object_or_404(Api, slug=request.query_params.get("api", ""))
        operation = request.query_params.get("operation")
        return Response(selectors.feedback_summary(api=api, operation_key=operation))
