"""Did-you-mean: a query word the index does not know, matched to the index's own vocabulary.

A candidate is a vocabulary word within a small edit distance (a swap of two neighbouring letters
counts as one edit, the commonest typo: "djnago"): one edit for words of up to four letters, two
above. Candidates come from two bounded prefilters: the engine's trigram index (good for most
typos) and the words sharing the typo's first letters (trigrams miss a swap in a short word:
"djnago" and "django" share none). Whether a correction is offered at all is decided by the
caller: only when the corrected query finds more than the original.
"""

from django.db.models.functions import Length

from nexus.core.edits import edit_distance
from nexus.search.models import SearchVocabulary

SHORT_WORD = 4
PREFIX_CANDIDATES = 300


def max_edits(word: str) -> int:
    """How far a correction may be from the typed word: short words tolerate less."""
    return 1 if len(word) <= SHORT_WORD else 2


def prefix_candidates(word: str) -> list[str]:
    """Vocabulary words of about the word's length that start like it (an index range scan)."""
    prefix = word[:1] if len(word) <= SHORT_WORD else word[:2]
    edits = max_edits(word)
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return list(
        SearchVocabulary.objects.filter(word__gte=prefix, word__lt=after)
        .annotate(letters=Length("word"))
        .filter(letters__gte=len(word) - edits, letters__lte=len(word) + edits)
        .order_by("word")
        .values_list("word", flat=True)[:PREFIX_CANDIDATES]
    )


def best_correction(word: str, candidates: list[str]) -> str | None:
    """The closest candidate within the word's edit budget: fewest edits, then one that keeps
    the first letter, then alphabetical (so both engines answer alike); None if none is close."""
    limit = max_edits(word)
    scored = sorted(
        (edit_distance(word, candidate, limit), candidate[:1] != word[:1], candidate)
        for candidate in set(candidates)
        if candidate != word
    )
    return scored[0][2] if scored and scored[0][0] <= limit else None
