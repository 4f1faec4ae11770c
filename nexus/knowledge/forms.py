from typing import Any

from django import forms

from nexus.accounts.models import User
from nexus.core.forms import ServiceForm
from nexus.core.widgets import Chooser, FreeChooser, MarkdownEditor
from nexus.knowledge import selectors, services
from nexus.knowledge.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Comment,
    LearningPath,
)


def _split_tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.replace("\n", ",").split(",") if tag.strip()]


class ArticleForm(ServiceForm):
    title = forms.CharField(max_length=200, required=False)
    summary = forms.CharField(max_length=500, required=False)
    kind = forms.ChoiceField(choices=ArticleKind.choices, initial=ArticleKind.CONCEPT)
    technologies = forms.MultipleChoiceField(
        required=False,
        widget=Chooser(),
        help_text="Choose one or more.",
    )
    tags = forms.CharField(
        required=False, widget=FreeChooser(), help_text="Comma-separated, e.g. caching, http"
    )
    body = forms.CharField(
        required=False,
        label="Body (Markdown)",
        strip=False,
        widget=MarkdownEditor(attrs={"rows": 18}),
    )
    status = forms.ChoiceField(
        choices=[(ArticleStatus.DRAFT, "Draft"), (ArticleStatus.PUBLISHED, "Published")],
        initial=ArticleStatus.DRAFT,
    )
    message = forms.CharField(
        max_length=200, required=False, label="What did you change?", help_text="Optional"
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["technologies"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (category.name, [(tech.slug, tech.name) for tech in category.technologies.all()])
            for category in selectors.category_list()
        ]
        tags = self.fields["tags"].widget
        assert isinstance(tags, FreeChooser)
        tags.suggest(selectors.tag_names())

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if len(body.encode("utf-8", "surrogatepass")) > services.MAX_BODY_BYTES:
            raise forms.ValidationError(
                f"The body is larger than {services.MAX_BODY_BYTES // 1024} KiB."
            )
        return body

    def _content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "kind": data["kind"],
            "technologies": data["technologies"],
            "tags": _split_tags(data["tags"]),
            "body": data["body"],
            "status": data["status"],
        }

    def create(self, author: User) -> Article | None:
        return self.call_service(
            services.article_create,
            author=author,
            message=self.cleaned_data["message"],
            **self._content(),
        )

    def update(self, article: Article, editor: User) -> Article | None:
        """Save over the version the editor started from (raises ArticleVersionConflict)."""
        content = self._content()
        if article.status == ArticleStatus.IN_REVIEW:
            # The form offers draft or published; a review, not this form, ends "in review".
            del content["status"]
        return self.call_service(
            services.article_update,
            article=article,
            editor=editor,
            expected_version=self.cleaned_data["version"] or 0,
            message=self.cleaned_data["message"],
            **content,
        )

    @staticmethod
    def initial_for(article: Article) -> dict[str, Any]:
        return {
            "title": article.title,
            "summary": article.summary,
            "kind": article.kind,
            "technologies": [tech.slug for tech in article.technologies.all()],
            "tags": ", ".join(tag.name for tag in article.tags.all()),
            "body": article.body,
            "status": (ArticleStatus.PUBLISHED if article.is_published else ArticleStatus.DRAFT),
            "version": article.version,
        }


class CommentForm(ServiceForm):
    body = forms.CharField(
        label="Comment",
        max_length=20_000,
        widget=MarkdownEditor(attrs={"rows": 4, "placeholder": "Markdown welcome"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def create(self, article: Article, author: User, parent: Comment | None) -> Comment | None:
        return self.call_service(
            services.comment_create,
            article=article,
            author=author,
            body=self.cleaned_data["body"],
            parent=parent,
        )


class LearningPathForm(ServiceForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    articles = forms.CharField(
        label="Articles (one slug a line, in order)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def _slugs(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["articles"].splitlines() if line.strip()]

    def create(self, author: User) -> LearningPath | None:
        return self.call_service(
            services.learning_path_create,
            author=author,
            title=self.cleaned_data["title"],
            description=self.cleaned_data["description"],
            articles=self._slugs(),
        )
