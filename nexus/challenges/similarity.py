"""Similar challenges: a ranked title match over an indexed table of title words.

The search feature will replace this with its engine; `similar_challenges` is the seam.
"""

import re
from dataclasses import dataclass

from django.db.models import Count

from nexus.challenges.models import Challenge, ChallengeStatus, ChallengeTerm

MAX_TERMS = 16
CANDIDATES = 50
TERM_MAX_LENGTH = 40
WORD = re.compile(r"[a-z0-9][a-z0-9+#]*")
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "cannot", "could", "do",
    "does", "doesn't", "for", "from", "get", "gets", "got", "has", "have", "how", "i", "if",
    "in", "into", "is", "it", "its", "my", "no", "not", "of", "on", "or", "so", "that", "the",
    "then", "there", "this", "to", "too", "use", "using", "was", "we", "what", "when", "where",
    "which", "while", "why", "will", "with", "without", "you", "your", "after", "before", "all",
    "any", "fails", "failed", "failing", "error", "errors", "issue", "issues", "problem",
    "problems", "work", "works", "working",
})
# fmt: on


@dataclass(frozen=True)
class SimilarChallenge:
    challenge: Challenge
    matched_terms: int
    similarity: float


def title_terms(text: str) -> list[str]:
    """The significant words of a title: lower-case, no stop words, plural "s" dropped."""
    terms: list[str] = []
    for word in WORD.findall(text.lower()):
        if word in STOP_WORDS or len(word) < 2:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        word = word[:TERM_MAX_LENGTH]
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def similar_challenges(
    *, text: str, limit: int = 5, exclude_id: int | None = None
) -> list[SimilarChallenge]:
    """Challenges whose titles share the most significant words with `text`, solved ones first."""
    terms = title_terms(text)
    if not terms:
        return []
    # Words that only one in three of the query's words match are noise for long queries.
    needed = 1 if len(terms) <= 2 else max(2, len(terms) // 3)
    candidates = (
        ChallengeTerm.objects.filter(term__in=terms)
        .exclude(challenge__status=ChallengeStatus.DUPLICATE)
        .values("challenge_id")
        .annotate(hits=Count("id"))
        .filter(hits__gte=needed)
        .order_by("-hits", "-challenge_id")
    )
    if exclude_id is not None:
        candidates = candidates.exclude(challenge_id=exclude_id)
    hits = {row["challenge_id"]: row["hits"] for row in candidates[:CANDIDATES]}
    challenges = Challenge.objects.filter(pk__in=hits).select_related("author")
    ranked = sorted(
        (SimilarChallenge(c, hits[c.pk], round(hits[c.pk] / len(terms), 3)) for c in challenges),
        key=lambda s: (
            s.challenge.status != ChallengeStatus.SOLVED,
            -s.matched_terms,
            -s.challenge.score,
            -s.challenge.pk,
        ),
    )
    return ranked[:limit]
