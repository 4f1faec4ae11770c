"""Did-you-mean: a query word the index does not know, matched to the index's own vocabulary.

A candidate is a vocabulary word within a small edit distance (a swap of two neighbouring letters
counts as one edit, the commonest typo: "djnago"): one edit for words of up to four letters, two
above. Candidates come from two bounded prefilters: the engine's trigram index (good for most
typos) and the words sharing the typo's first letters (trigrams miss a swap in a short word:
"djnago" and "django" share none). Whether a correction is offered at all is decided by the
caller: only when the corrected query finds more than the original.
"""

from django.db.models.functions import Length

from nexus.search.models import SearchVocabulary

SHORT_WORD = 4
PREFIX_CANDIDATES = 300


def max_edits(word: str) -> int:
    """How far a correction may be from the typed word: short words tolerate less."""
    return 1 if len(word) <= SHORT_WORD else 2


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours), or
    `limit + 1` as soon as it is known to exceed `limit`."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous_row: list[int] = []
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = 0 if letter == other else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)


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
