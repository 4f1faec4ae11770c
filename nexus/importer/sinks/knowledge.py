"""The knowledge sink: source and overview articles, concept stubs, best practices, takeaways,
and technologies matched by name and alias. Writes only through nexus.knowledge.services."""

from collections.abc import Iterable
from typing import Any

from django.utils.text import slugify

from nexus.accounts.models import User
from nexus.importer.items import ExtractedItem, FileContext, provenance
from nexus.importer.parsing import technologies as known
from nexus.importer.sinks.base import Ledger, Outcome, register
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, ArticleKind, ArticleStatus, Technology

SUMMARY_MAX = 300
EDITED_SINCE = "edited in Nexus since the last import; left as it is"


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


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"


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
        index = TechnologyIndex(Technology.objects.all())
        outcomes = []
        for item in items:
            if item.kind == "technology":
                outcomes.append(self._technology(item, index))
            else:
                outcomes.append(self._article(owner, context, item, ledger, index))
        return outcomes

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

    def _article(
        self,
        owner: User,
        context: FileContext,
        item: ExtractedItem,
        ledger: Ledger,
        index: TechnologyIndex,
    ) -> Outcome:
        fields = self._fields(context, item, index)
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
        if item.kind == "concept":
            existing = (
                Article.objects.filter(kind=ArticleKind.CONCEPT, title__iexact=item.title)
                .exclude(status=ArticleStatus.ARCHIVED)
                .order_by("pk")
                .first()
            )
            if existing is not None:
                return _done(
                    item, "linked", existing, version=None, reason="existing concept article"
                )
        created = knowledge.article_create(
            author=owner,
            message=f"Imported from {context.path}",
            **fields,
        )
        return _done(item, "created", created, version=created.version)


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
