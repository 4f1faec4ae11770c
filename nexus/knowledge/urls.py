from django.urls import path

from nexus.knowledge.views import articles, attachments, pages

app_name = "knowledge"

urlpatterns = [
    path("knowledge/highlight.css", pages.highlight_css, name="highlight_css"),
    path("technologies/", pages.technology_list, name="technologies"),
    path("technologies/<slug:slug>/", pages.technology_detail, name="technology"),
    path("articles/", articles.article_list, name="articles"),
    path("articles/new/", articles.article_create, name="article_create"),
    path("articles/preview/", articles.article_preview, name="preview"),
    path("attachments/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<uuid:key>/<str:name>", attachments.attachment_serve, name="attachment"),
    path("articles/<slug:slug>/", articles.article_detail, name="article"),
    path("articles/<slug:slug>/edit/", articles.article_edit, name="edit"),
    path("articles/<slug:slug>/archive/", articles.article_archive, name="archive"),
    path("articles/<slug:slug>/review/", articles.article_review, name="review"),
    path("articles/<slug:slug>/history/", articles.article_history, name="history"),
    path("articles/<slug:slug>/diff/", articles.article_diff, name="diff"),
    path(
        "articles/<slug:slug>/revisions/<int:number>/revert/",
        articles.article_revert,
        name="revert",
    ),
    path("articles/<slug:slug>/helpful/", articles.article_react, name="react"),
    path("articles/<slug:slug>/bookmark/", articles.article_bookmark, name="bookmark"),
    path("articles/<slug:slug>/comments/", articles.comment_create, name="comment_create"),
    path(
        "articles/<slug:slug>/comments/<int:comment_id>/edit/",
        articles.comment_edit,
        name="comment_edit",
    ),
    path(
        "articles/<slug:slug>/comments/<int:comment_id>/remove/",
        articles.comment_remove,
        name="comment_remove",
    ),
    path("bookmarks/", pages.bookmark_list, name="bookmarks"),
    path("paths/", pages.path_list, name="paths"),
    path("paths/new/", pages.path_create, name="path_create"),
    path("paths/<slug:slug>/", pages.path_detail, name="path"),
    path(
        "paths/<slug:slug>/steps/<slug:article_slug>/",
        pages.path_step_toggle,
        name="path_step",
    ),
]
