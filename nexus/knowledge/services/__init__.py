"""Every write to the knowledge base, one module per area; import the functions from here."""

from nexus.knowledge.services.articles import (
    MAX_BODY_BYTES,
    ArticleDraft,
    ArticleVersionConflict,
    article_archive,
    article_create,
    article_revert,
    article_update,
    articles_create,
    refresh_links_to,
    refresh_links_to_many,
)
from nexus.knowledge.services.attachments import attachment_create, attachment_delete
from nexus.knowledge.services.interactions import (
    bookmark_add,
    bookmark_remove,
    comment_create,
    comment_remove,
    comment_update,
    reaction_add,
    reaction_remove,
)
from nexus.knowledge.services.outdated import (
    article_flag_outdated,
    article_mark_reviewed,
    articles_flag_linking,
)
from nexus.knowledge.services.paths import (
    learning_path_create,
    learning_path_update,
    path_step_mark,
)
from nexus.knowledge.services.review_status import (
    article_publish_reviewed,
    article_return_to_draft,
    article_submit_for_review,
)
from nexus.knowledge.services.tags import MAX_TAGS, tags_ensure, tags_normalise
from nexus.knowledge.services.technologies import (
    MAX_TECHNOLOGIES,
    technologies_resolve,
    technology_create,
    technology_update,
)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_TAGS",
    "MAX_TECHNOLOGIES",
    "ArticleDraft",
    "ArticleVersionConflict",
    "article_archive",
    "article_create",
    "article_flag_outdated",
    "article_mark_reviewed",
    "article_publish_reviewed",
    "article_return_to_draft",
    "article_revert",
    "article_submit_for_review",
    "article_update",
    "articles_create",
    "articles_flag_linking",
    "attachment_create",
    "attachment_delete",
    "bookmark_add",
    "bookmark_remove",
    "comment_create",
    "comment_remove",
    "comment_update",
    "learning_path_create",
    "learning_path_update",
    "path_step_mark",
    "reaction_add",
    "reaction_remove",
    "refresh_links_to",
    "refresh_links_to_many",
    "tags_ensure",
    "tags_normalise",
    "technologies_resolve",
    "technology_create",
    "technology_update",
]
