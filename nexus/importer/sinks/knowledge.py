"""The knowledge sink: source and overview articles, concept stubs, best practices, takeaways,
and technologies matched by name and alias. Writes only through nexus.knowledge.services."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.core.markdown import markdown_plain_text
from nexus.importer.items import ExtractedItem, FileContext, provenance
from nexus.importer.parsing import technologies as known
from nexus.importer.sinks.base import (
    ChunkConflict,
    Ledger,
    Outcome,
    Pending,
    Plan,
    per_import,
    register,
)
from nexus.knowledge import reviews
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, ArticleKind, ArticleStatus, Technology

SUMMARY_MAX = 300
# Markdown enough for a summary: overviews run to many kilobytes, and rendering all of it for
# 300 characters of text cost more than rendering the article itself.
SUMMARY_SOURCE_CHARS = 8 * SUMMARY_MAX
EDITED_SINCE = "edited in Nexus since the last import; left as it is"
AWAITS_REVIEW = "imported as a draft: your articles are reviewed before they are published"


class TechnologyIndex:
    """Every technology by lower-case name, slug and the aliases learners use."""

    def __init__(self, technologies: Iterable[Technology]) -> None:
        self.by_key: dict[str, Technology] = {}
        for technology in technologies:
            for key in (technology.name.lower(), technology.slug, slugify(technology.name)):
                self.by_key.setdefault(key, technology)
            canonical = known.canonical(technology.name)
            if canonical:
                self.by_key.setdefault(canonical.lower(), technology)

    def match(self, name: str) -> Technology | None:
        canonical = known.canonical(name) or name
        for key in (canonical.lower(), name.lower(), slugify(name)):
            if key in self.by_key:
                return self.by_key[key]
        return None

    def slugs(self, names: Iterable[str]) -> list[str]:
        found = [tech.slug for name in names if (tech := self.match(name)) is not None]
        return list(dict.fromkeys(found))[: knowledge.MAX_TECHNOLOGIES]


def technology_index() -> TechnologyIndex:
    """Every technology, indexed once per import (each file's sinks used to load and index the
    whole table again)."""
    return per_import("technology_index", lambda: TechnologyIndex(Technology.objects.all()))


def _summary(text: str) -> str:
    """The start of a Markdown text as plain text on one line: lists show summaries as text."""
    text = " ".join(markdown_plain_text(_leading_blocks(text)).split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"


def _leading_blocks(text: str) -> str:
    """The whole blocks (up to a blank line) of the text's first SUMMARY_SOURCE_CHARS."""
    if len(text) <= SUMMARY_SOURCE_CHARS:
        return text
    cut = text.rfind("\n\n", 0, SUMMARY_SOURCE_CHARS)
    return text[: cut if cut > 0 else SUMMARY_SOURCE_CHARS]


@dataclass
class ChunkConcepts:
    """The concepts of a chunk of files: articles that exist, by lower-case title, and the stubs
    its files make (the first file naming a concept makes it, later ones link to it)."""

    existing: dict[str, Article | None]
    stubs: dict[str, Pending] = field(default_factory=dict)


class KnowledgeSink:
    kinds: tuple[str, ...] = (
        "source_article",
        "overview",
        "concept",
        "best_practice",
        "takeaway",
        "technology",
    )

    def write(
        self, *, owner: User, context: FileContext, items: list[ExtractedItem], ledger: Ledger
    ) -> list[Outcome]:
        plan = self.plan(
            owner=owner,
            context=context,
            items=items,
            ledger=ledger,
            state=self.chunk_state(items),
        )
        self.create(owner=owner, pending=plan.new)
        return plan.outcomes + self.finish(plan, context=context)

    def chunk_state(self, items: list[ExtractedItem]) -> "ChunkConcepts":
        """The concept articles the chunk's concepts name, read once for all its files."""
        return ChunkConcepts(
            existing=_concepts_titled([item.title for item in items if item.kind == "concept"])
        )

    def plan(
        self,
        *,
        owner: User,
        context: FileContext,
        items: list[ExtractedItem],
        ledger: Ledger,
        state: "ChunkConcepts",
    ) -> Plan:
        index = technology_index()
        message = f"Imported from {context.path}"
        plan = Plan()
        for item in items:
            if item.kind == "technology":
                plan.outcomes.append(self._technology(item, index))
                continue
            fields = self._fields(context, item, index)
            outcome = self._existing_article(owner, context, item, fields, ledger, state.existing)
            if outcome is not None:
                plan.outcomes.append(outcome)
            elif item.kind == "concept" and item.title.lower() in state.stubs:
                # A concept named again (in this file or an earlier one of the chunk): the first
                # makes the stub, the others link to it.
                plan.follows.append((item, state.stubs[item.title.lower()]))
            else:
                draft = knowledge.ArticleDraft(message=message, **fields)
                pending = Pending(item=item, draft=(draft, fields["status"]), context=context)
                plan.new.append(pending)
                if item.kind == "concept":
                    state.stubs[item.title.lower()] = pending
        return plan

    def create(self, *, owner: User, pending: list[Pending]) -> None:
        """The new articles of every file given, created together."""
        if not pending:
            return
        needs_review = per_import(
            ("review_required", owner.pk), lambda: reviews.review_required(owner)
        )
        created = knowledge.articles_create(
            author=owner,
            drafts=[each.draft[0] for each in pending],
            unreviewed_as_drafts=True,
            needs_review=needs_review,
        )
        for each, result in zip(pending, created, strict=True):
            wanted_status = each.draft[1]
            each.outcome = (
                Outcome(item=each.item, action="skipped", reason=_refusal(result))
                if isinstance(result, ValidationError)
                else _done(
                    each.item,
                    "created",
                    result,
                    version=result.version,
                    reason=AWAITS_REVIEW if result.status != wanted_status else "",
                )
            )

    def finish(self, plan: Plan, *, context: FileContext) -> list[Outcome]:
        created = [each.outcome for each in plan.new if each.outcome is not None]
        outcomes = []
        for item, stub in plan.follows:
            made = stub.outcome
            assert made is not None
            if made.action == "created":
                linked = dataclasses.replace(made, item=item, action="linked", target_version=None)
                outcomes.append(dataclasses.replace(linked, reason="existing concept article"))
            elif stub.context is not context:
                # One file at a time, this file would have tried a stub of its own.
                raise ChunkConflict(f"concept {item.title!r} follows a refused stub")
            else:
                outcomes.append(Outcome(item=item, action="skipped", reason=made.reason))
        return outcomes + created

    def _technology(self, item: ExtractedItem, index: TechnologyIndex) -> Outcome:
        technology = index.match(item.title)
        if technology is None:
            return Outcome(
                item=item, action="unmatched", reason="no technology of that name in Nexus"
            )
        return Outcome(
            item=item,
            action="matched",
            target_kind="technology",
            target_id=technology.pk,
            target_slug=technology.slug,
        )

    def _fields(
        self, context: FileContext, item: ExtractedItem, index: TechnologyIndex
    ) -> dict[str, Any]:
        data = item.data
        tags = [tag for tag in data.get("tags", []) if tag][: knowledge.MAX_TAGS]
        if item.kind == "source_article":
            kind = data["kind"] if data["kind"] in ArticleKind.values else ArticleKind.GUIDE
            status = data["status"] if data["status"] in ("draft", "published") else "published"
            body = f"{provenance(context)}\n\n{data['body']}"
            summary = f"Imported from {context.path}"
        elif item.kind == "overview":
            kind, status = ArticleKind.GUIDE, ArticleStatus.PUBLISHED
            body = f"{data['body']}\n\n{provenance(context)}\n"
            summary = _summary(data["body"])
        elif item.kind == "concept":
            kind, status = ArticleKind.CONCEPT, ArticleStatus.PUBLISHED
            tags = ["stub", "imported"]
            note = "*A stub made by the importer: mentors, please fill it in.*"
            body = f"{note}\n\n{data['explanation']}\n\n{provenance(context)}\n".replace(
                "\n\n\n", "\n\n"
            )
            summary = _summary(data["explanation"])
        else:
            kind, status = item.kind, ArticleStatus.PUBLISHED
            body = f"{data['explanation'] or item.title}\n\n{provenance(context)}\n"
            summary = _summary(data["explanation"])
        names = data.get("technologies") or known.scan(
            f"{item.title} {data.get('explanation', '')}"
        )
        return {
            "title": item.title[:200],
            "body": body,
            "summary": summary,
            "kind": kind,
            "status": status,
            "technologies": index.slugs(names),
            "tags": tags,
        }

    def _existing_article(
        self,
        owner: User,
        context: FileContext,
        item: ExtractedItem,
        fields: dict[str, Any],
        ledger: Ledger,
        concepts: dict[str, Article | None],
    ) -> Outcome | None:
        """What becomes of an item whose article exists (imported before, or a concept of that
        title); None when it needs a new article."""
        previous = ledger.previous(item)
        article = None
        if previous is not None and previous.target_id:
            article = Article.objects.filter(pk=previous.target_id).first()
        if article is not None and previous is not None:
            if previous.target_version is None:
                return _done(
                    item, "unchanged", article, version=None, reason="linked to an existing article"
                )
            if article.version != previous.target_version:
                return _done(
                    item, "skipped", article, version=previous.target_version, reason=EDITED_SINCE
                )
            updated = knowledge.article_update(
                article=article,
                editor=owner,
                expected_version=article.version,
                message=f"Re-imported from {context.path}",
                **{name: value for name, value in fields.items() if name != "status"},
            )
            return _done(item, "updated", updated, version=updated.version)
        existing = concepts.get(item.title.lower()) if item.kind == "concept" else None
        if existing is not None:
            return _done(item, "linked", existing, version=None, reason="existing concept article")
        return None


def _concepts_titled(titles: list[str]) -> dict[str, Article | None]:
    """The oldest live concept article for each of the titles (any case), in one query."""
    if not titles:
        return {}
    found: dict[str, Article | None] = {}
    matches = Article.objects.annotate(lowered=Lower("title")).filter(
        kind=ArticleKind.CONCEPT, lowered__in={title.lower() for title in titles}
    )
    for article in matches.exclude(status=ArticleStatus.ARCHIVED).order_by("pk"):
        found.setdefault(article.title.lower(), article)
    return found


def _refusal(exc: ValidationError) -> str:
    text = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items())
    return f"refused by the knowledge service: {text}"[:500]


def _done(
    item: ExtractedItem, action: str, article: Article, *, version: int | None, reason: str = ""
) -> Outcome:
    return Outcome(
        item=item,
        action=action,
        reason=reason,
        target_kind="article",
        target_id=article.pk,
        target_slug=article.slug,
        target_version=version,
        url=article.get_absolute_url(),
    )


register(KnowledgeSink())
