from django.urls import path

from nexus.collab.views import catalog, issues

app_name = "collab"

urlpatterns = [
    path("apis/", catalog.api_list, name="api_list"),
    path("apis/new/", catalog.api_create, name="api_create"),
    path("apis/alerts/", catalog.alert_list, name="alert_list"),
    path("apis/<slug:slug>/", catalog.api_detail, name="api_detail"),
    path("apis/<slug:slug>/compare/", catalog.api_compare, name="api_compare"),
    path("apis/<slug:slug>/versions/", catalog.version_create, name="version_create"),
    path("apis/<slug:slug>/versions/<int:number>/", catalog.version_detail, name="version_detail"),
    path(
        "apis/<slug:slug>/versions/<int:number>/openapi.json",
        catalog.version_spec_json,
        name="version_spec_json",
    ),
    path(
        "apis/<slug:slug>/versions/<int:number>/swagger/openapi.json",
        catalog.version_swagger_spec,
        name="version_swagger_spec",
    ),
    path(
        "apis/<slug:slug>/versions/<int:number>/swagger/",
        catalog.version_swagger,
        name="version_swagger",
    ),
    path("apis/<slug:slug>/consume/", catalog.consumer_declare, name="consumer_declare"),
    path(
        "apis/<slug:slug>/operations/<int:pk>/", catalog.operation_detail, name="operation_detail"
    ),
    path("apis/<slug:slug>/issues/new/", issues.issue_create, name="issue_create"),
    path("feedback/<int:pk>/reply/", catalog.feedback_reply, name="feedback_reply"),
    path("issues/", issues.issue_list, name="issue_list"),
    path("issues/board/", issues.issue_board, name="issue_board"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/status/", issues.issue_status, name="issue_status"),
    path("issues/<int:pk>/triage/", issues.issue_triage, name="issue_triage"),
    path("issues/<int:pk>/comment/", issues.issue_comment, name="issue_comment"),
    path("issues/<int:pk>/watch/", issues.issue_watch, name="issue_watch"),
]
