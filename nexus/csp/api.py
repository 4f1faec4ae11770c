"""The endpoint browsers post Content-Security-Policy violation reports to (report-uri, report-to).

Browsers post without cookies or CSRF tokens, from any page, as often as pages misbehave: the
endpoint takes no authentication, caps the body, throttles each address and stores only counts.
"""

import json
import re
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from nexus.csp import services
from nexus.csp.models import DIRECTIVE_MAX_LENGTH, Disposition

# The Reporting API batches reports; a batch larger than this is not a browser's.
MAX_REPORTS_PER_BATCH = 100
DIRECTIVE_PATTERN = rf"^[a-z][a-z-]{{0,{DIRECTIVE_MAX_LENGTH - 1}}}$"
NOT_A_DIRECTIVE = "Name one directive, such as script-src-elem."


class ReportTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class _ReportParser(BaseParser):
    """JSON, read no further than NEXUS_CSP_REPORT_MAX_BYTES and no deeper than Python can."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.NEXUS_CSP_REPORT_MAX_BYTES
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise ReportTooLarge(f"A report may be at most {limit} bytes.")
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError("The report is not valid JSON.") from exc


class CspReportParser(_ReportParser):
    """report-uri: one {"csp-report": {...}} per violation (some browsers say application/json)."""

    media_type = "application/csp-report"


class LegacyJSONParser(CspReportParser):
    media_type = "application/json"


class ReportsJSONParser(_ReportParser):
    """report-to (the Reporting API): a JSON list of reports of any type."""

    media_type = "application/reports+json"


class CspReportBodySerializer(serializers.Serializer):
    """The report-uri format; its keys are hyphenated, so the fields are built here."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "document-uri": serializers.CharField(),
            "blocked-uri": serializers.CharField(required=False, allow_blank=True, default=""),
            "effective-directive": serializers.RegexField(
                DIRECTIVE_PATTERN, required=False, error_messages={"invalid": NOT_A_DIRECTIVE}
            ),
            # Older browsers send only this, as the whole directive: "script-src 'self'".
            "violated-directive": serializers.CharField(required=False, allow_blank=True),
            "disposition": serializers.ChoiceField(
                Disposition.values, required=False, default=Disposition.ENFORCE
            ),
            "source-file": serializers.CharField(required=False, allow_blank=True, default=""),
            "line-number": serializers.IntegerField(min_value=0, required=False, allow_null=True),
            "script-sample": serializers.CharField(required=False, allow_blank=True, default=""),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "effective-directive" not in attrs:
            directive = attrs.get("violated-directive", "").split(" ")[0]
            if not re.fullmatch(DIRECTIVE_PATTERN, directive):
                raise serializers.ValidationError({"effective-directive": NOT_A_DIRECTIVE})
            attrs["effective-directive"] = directive
        return attrs


class CspReportSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {"csp-report": CspReportBodySerializer()}

    def violations(self) -> list[services.ReportedViolation]:
        report = self.validated_data["csp-report"]
        return [
            services.ReportedViolation(
                document_uri=report["document-uri"],
                directive=report["effective-directive"],
                blocked_uri=report["blocked-uri"],
                disposition=report["disposition"],
                source_file=report["source-file"],
                line_number=report.get("line-number"),
                sample=report["script-sample"],
            )
        ]


class CspViolationBodySerializer(serializers.Serializer):
    """The body of a Reporting API report of type "csp-violation" (the API's camelCase names)."""

    documentURL = serializers.CharField()
    blockedURL = serializers.CharField(required=False, allow_blank=True, default="")
    effectiveDirective = serializers.RegexField(
        DIRECTIVE_PATTERN, error_messages={"invalid": NOT_A_DIRECTIVE}
    )
    disposition = serializers.ChoiceField(
        Disposition.values, required=False, default=Disposition.ENFORCE
    )
    sourceFile = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=""
    )
    lineNumber = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    sample = serializers.CharField(required=False, allow_blank=True, default="")


class ReportSerializer(serializers.Serializer):
    """One report of a Reporting API batch; only "csp-violation" bodies are read."""

    type = serializers.CharField()
    body = serializers.DictField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["type"] == "csp-violation":
            body = CspViolationBodySerializer(data=attrs["body"])
            if not body.is_valid():
                raise serializers.ValidationError({"body": body.errors})
            attrs["body"] = body.validated_data
        return attrs


def _batch_violations(reports: list[dict[str, Any]]) -> list[services.ReportedViolation]:
    return [
        _reporting_api_violation(report["body"])
        for report in reports
        if report["type"] == "csp-violation"
    ]


def _reporting_api_violation(body: dict[str, Any]) -> services.ReportedViolation:
    return services.ReportedViolation(
        document_uri=body["documentURL"],
        directive=body["effectiveDirective"],
        blocked_uri=body["blockedURL"],
        disposition=body["disposition"],
        source_file=body["sourceFile"] or "",
        line_number=body.get("lineNumber"),
        sample=body["sample"],
    )


class CspReportThrottle(SimpleRateThrottle):
    """Per client address, at NEXUS_CSP_REPORT_RATE."""

    scope = "csp_report"

    def get_rate(self) -> str:
        return settings.NEXUS_CSP_REPORT_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(exclude=True)  # browsers' endpoint, not part of the API
class CspReportView(APIView):
    authentication_classes: list[type] = []  # no session: no CSRF check, no cookies read
    permission_classes = [AllowAny]
    throttle_classes = [CspReportThrottle]
    parser_classes = [CspReportParser, LegacyJSONParser, ReportsJSONParser]
    renderer_classes = [JSONRenderer]

    def post(self, request: Request) -> Response:
        limit = settings.NEXUS_CSP_REPORT_MAX_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise ReportTooLarge(f"A report may be at most {limit} bytes.")
        if request.content_type.lower().startswith(ReportsJSONParser.media_type):
            batch: serializers.ListSerializer[Any] = serializers.ListSerializer(
                child=ReportSerializer(), data=request.data, max_length=MAX_REPORTS_PER_BATCH
            )
            batch.is_valid(raise_exception=True)
            violations = _batch_violations(batch.validated_data)
        else:
            report = CspReportSerializer(data=request.data)
            report.is_valid(raise_exception=True)
            violations = report.violations()
        services.violations_record(reports=violations, site_host=request.get_host())
        return Response(status=status.HTTP_204_NO_CONTENT)
