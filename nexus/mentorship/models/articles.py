"""Review of articles before they are published, with inline comments on lines of a revision."""

from django.conf import settings
from django.db import models

from nexus.core.models import TimeStampedModel
from nexus.mentorship.models.rubrics import Rubric, ScoredReview, ScoreRow


class ProgramArticleReview(TimeStampedModel):
    """A programme whose learners' articles are reviewed before they are published."""

    program = models.OneToOneField("journal.Program", on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"program {self.program_id}: review {'required' if self.required else 'optional'}"


class AuthorArticleReview(TimeStampedModel):
    """One author's articles are reviewed before publishing: set by a mentor, or opted into."""

    author = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    required = models.BooleanField(default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"author {self.author_id}: review {'required' if self.required else 'optional'}"


class ReviewRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ArticleReviewRequest(TimeStampedModel):
    """One round of review: the author asks, a reviewer decides once, at `revision_number`."""

    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.CASCADE, related_name="review_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=24, choices=ReviewRequestStatus.choices, default=ReviewRequestStatus.OPEN
    )
    revision_number = models.PositiveIntegerField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status="open"),
                name="mentorship_one_open_article_review",
            )
        ]
        indexes = [
            models.Index(fields=["article", "-created_at"], name="mentorship_review_req_article"),
            models.Index(fields=["status", "-created_at"], name="mentorship_review_req_status"),
        ]

    def __str__(self) -> str:
        return f"review of article {self.article_id} at r{self.revision_number}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewRequestStatus.OPEN


class ArticleReview(ScoredReview):
    """The decision of one round; a round is decided once (the constraint settles a race)."""

    request = models.ForeignKey(
        ArticleReviewRequest, on_delete=models.CASCADE, related_name="reviews"
    )
    revision_number = models.PositiveIntegerField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["request"], name="mentorship_article_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.decision} on request {self.request_id}"


class ArticleReviewScore(ScoreRow):
    review = models.ForeignKey(ArticleReview, on_delete=models.CASCADE, related_name="scores")

    class Meta:
        ordering = ("review", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="mentorship_article_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ReviewComment(TimeStampedModel):
    """A comment on one line of the revision it was made on; later edits never remove it."""

    request = models.ForeignKey(
        ArticleReviewRequest, on_delete=models.CASCADE, related_name="comments"
    )
    revision = models.ForeignKey(
        "knowledge.ArticleRevision", on_delete=models.CASCADE, related_name="+"
    )
    line = models.PositiveIntegerField()
    # The line as it read then: how a later revision tells whether the comment still applies.
    line_text = models.TextField()
    body = models.TextField(max_length=5000)
    body_html = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ("line", "created_at", "id")
        indexes = [models.Index(fields=["request", "line"], name="mentorship_review_comment_line")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__gte=1), name="mentorship_review_comment_line_from_1"
            )
        ]

    def __str__(self) -> str:
        return f"comment on line {self.line} of revision {self.revision_id}"
