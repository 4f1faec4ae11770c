"""GraphQL for article review: the same selectors, policies and services as the REST API."""

from collections.abc import Iterable

import strawberry
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.models import User
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_from_id, pk_or_not_found
from nexus.journal.models import Program
from nexus.knowledge import policies as knowledge_policies
from nexus.knowledge import selectors as knowledge_selectors
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import ArticleReview, ArticleReviewRequest
from nexus.mentorship.services import articles as services

MAX_LIST = 100


@strawberry.type(name="ReviewPerson")
class PersonType:
    id: strawberry.ID
    display_name: str


@strawberry.type(name="ArticleReviewScore")
class ScoreType:
    criterion: str
    position: int
    score: int
    comment: str


@strawberry.type(name="ArticleReview")
class ReviewType:
    id: strawberry.ID
    request_id: strawberry.ID
    reviewer: PersonType
    decision: str
    comment: str
    comment_html: str
    revision_number: int
    scores: list[ScoreType]


@strawberry.type(name="ArticleReviewRequest")
class RequestType:
    id: strawberry.ID
    article_slug: str
    status: str
    revision_number: int
    requested_by: PersonType
    reviewers: list[PersonType]
    rubric_name: str | None
    review: ReviewType | None


@strawberry.type(name="ArticleReviewComment")
class CommentType:
    id: strawberry.ID
    request_id: strawberry.ID
    revision: int
    line: int
    line_text: str
    current_line: int | None
    outdated: bool
    body: str
    body_html: str
    author: PersonType
    resolved: bool


@strawberry.input(name="ArticleReviewScoreInput")
class ScoreInput:
    criterion: str
    score: int
    comment: str = ""


@strawberry.type
class ArticleReviewRequestResult:
    request: RequestType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class ArticleReviewCommentResult:
    comment: CommentType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class ArticleReviewResult:
    """The decision; when another reviewer decided first, theirs in `winner` with a conflict."""

    review: ReviewType | None = None
    winner: ReviewType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _person(user: User) -> PersonType:
    return PersonType(id=strawberry.ID(str(user.pk)), display_name=user.display_name)


def _review(review: ArticleReview) -> ReviewType:
    return ReviewType(
        id=strawberry.ID(str(review.pk)),
        request_id=strawberry.ID(str(review.request_id)),
        reviewer=_person(review.reviewer),
        decision=review.decision,
        comment=review.comment,
        comment_html=review.comment_html,
        revision_number=review.revision_number,
        scores=[
            ScoreType(criterion=s.criterion, position=s.position, score=s.score, comment=s.comment)
            for s in review.scores.all()
        ],
    )


def _request(request: ArticleReviewRequest) -> RequestType:
    decided = list(request.reviews.all())
    return RequestType(
        id=strawberry.ID(str(request.pk)),
        article_slug=request.article.slug,
        status=request.status,
        revision_number=request.revision_number,
        requested_by=_person(request.requested_by),
        reviewers=[_person(user) for user in request.reviewers.all()],
        rubric_name=request.rubric.name if request.rubric else None,
        review=_review(decided[0]) if decided else None,
    )


def _comments(items: Iterable[selectors.AnchoredComment]) -> list[CommentType]:
    return [
        CommentType(
            id=strawberry.ID(str(item.comment.pk)),
            request_id=strawberry.ID(str(item.comment.request_id)),
            revision=item.comment.revision.number,
            line=item.comment.line,
            line_text=item.comment.line_text,
            current_line=item.line,
            outdated=item.outdated,
            body=item.comment.body,
            body_html=item.comment.body_html,
            author=_person(item.comment.author),
            resolved=item.comment.resolved,
        )
        for item in items
    ]


def _visible_round(info: Info, request_id: int) -> ArticleReviewRequest | None:
    found = selectors.review_request_get(request_id=request_id)
    if found is None or not policies.can_view_article_review(info.context.request.user, found):
        return None
    return found


@strawberry.type
class Query:
    @strawberry.field(description="Rounds of review of an article the viewer may see.")
    def article_review_requests(self, info: Info, slug: str) -> list[RequestType]:
        viewer = info.context.request.user
        article = knowledge_selectors.article_find(slug=slug)
        if article is None or not knowledge_policies.can_view_article(viewer, article):
            return []
        rounds = selectors.review_requests_visible(viewer=viewer, article=article)
        return [_request(round_) for round_ in rounds[:MAX_LIST]]

    @strawberry.field(
        description="Line comments of a round, placed on the current text; null for a round "
        "the viewer may not see."
    )
    def article_review_comments(
        self, info: Info, request_id: strawberry.ID
    ) -> list[CommentType] | None:
        pk = pk_from_id(request_id)
        round_ = _visible_round(info, pk) if pk is not None else None
        if round_ is None:
            return None
        comments = selectors.review_comments_of(article=round_.article).filter(request=round_)
        lines = selectors.body_lines(round_.article.body)
        return _comments(selectors.anchor_comments(comments[: MAX_LIST * 5], lines=lines))

    @strawberry.field(description="Open rounds waiting for the signed-in reviewer.")
    def article_review_queue(self, info: Info) -> list[RequestType]:
        queue = selectors.review_queue(reviewer=info.context.request.user)
        return [_request(round_) for round_ in queue[:MAX_LIST]]


def _round_for_mutation(info: Info, request_id: strawberry.ID) -> ArticleReviewRequest:
    round_ = _visible_round(info, pk_or_not_found(request_id, field="request_id"))
    if round_ is None:
        raise NotFound(field="request_id", message="No such review request.")
    return round_


@strawberry.type
class ReviewSettingResult:
    required: bool | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_author_article_review(
        self, info: Info, user_id: strawberry.ID, required: bool
    ) -> ReviewSettingResult:
        """Require (or not) a review of an author's articles: the author opts in, their mentor or
        an admin decides for them."""
        actor = authenticated_user(info.context.request)
        author = User.objects.filter(pk=pk_or_not_found(user_id), is_active=True).first()
        if author is None or not policies.can_require_article_review(actor, author):
            raise NotFound(field="userId", message="No such author.")
        setting = services.author_article_review_set(actor=actor, author=author, required=required)
        return ReviewSettingResult(required=setting.required)

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_program_article_review(
        self, info: Info, slug: str, required: bool
    ) -> ReviewSettingResult:
        """Require (or not) a review of every article by a programme's learners."""
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise NotFound(field="slug", message="No such programme.")
        setting = services.program_article_review_set(
            actor=authenticated_user(info.context.request), program=program, required=required
        )
        return ReviewSettingResult(required=setting.required)

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def request_article_review(
        self,
        info: Info,
        slug: str,
        reviewers: list[strawberry.ID] | None = None,
        rubric: strawberry.ID | None = None,
    ) -> ArticleReviewRequestResult:
        user = authenticated_user(info.context.request)
        article = knowledge_selectors.article_find(slug=slug)
        if article is None or not knowledge_policies.can_view_article(user, article):
            raise NotFound(field="slug", message="No such article.")
        chosen = None
        if rubric is not None:
            chosen = selectors.rubric_get(rubric_id=pk_or_not_found(rubric, field="rubric"))
            if chosen is None:
                raise NotFound(field="rubric", message="No such rubric.")
        reviewer_ids = [pk_or_not_found(pk, field="reviewers") for pk in reviewers or []]
        created = services.review_request(
            actor=user, article=article, reviewer_ids=reviewer_ids, rubric=chosen
        )
        fresh = selectors.review_request_get(request_id=created.pk)
        return ArticleReviewRequestResult(request=_request(fresh) if fresh else None)

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def add_article_review_comment(
        self, info: Info, request_id: strawberry.ID, revision: int, line: int, body: str
    ) -> ArticleReviewCommentResult:
        user = authenticated_user(info.context.request)
        round_ = _round_for_mutation(info, request_id)
        comment = services.review_comment_add(
            actor=user, request=round_, revision_number=revision, line=line, body=body
        )
        lines = selectors.body_lines(round_.article.body)
        return ArticleReviewCommentResult(
            comment=_comments(selectors.anchor_comments([comment], lines=lines))[0]
        )

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def decide_article_review(
        self,
        info: Info,
        request_id: strawberry.ID,
        decision: str,
        comment: str = "",
        scores: list[ScoreInput] | None = None,
    ) -> ArticleReviewResult:
        user = authenticated_user(info.context.request)
        round_ = _round_for_mutation(info, request_id)
        try:
            review = services.review_decide(
                actor=user,
                request=round_,
                decision=decision,
                comment=comment,
                scores=[strawberry.asdict(score) for score in scores or []],
            )
        except services.ReviewAlreadyDecided as lost:
            return ArticleReviewResult(
                winner=_review(lost.review),
                errors=[
                    FieldError(
                        field="request_id",
                        message=f"{lost.review.reviewer.display_name} decided this review first.",
                        code="conflict",
                    )
                ],
            )
        return ArticleReviewResult(review=_review(review))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def withdraw_article_review(
        self, info: Info, request_id: strawberry.ID
    ) -> ArticleReviewRequestResult:
        user = authenticated_user(info.context.request)
        round_ = _round_for_mutation(info, request_id)
        services.review_withdraw(actor=user, request=round_)
        fresh = selectors.review_request_get(request_id=round_.pk)
        return ArticleReviewRequestResult(request=_request(fresh) if fresh else None)
