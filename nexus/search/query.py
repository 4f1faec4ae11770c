"""Web-search syntax, parsed and sanitised here so no input reaches a database as syntax.

Supported: words (AND), "quoted phrases", `or` between two clauses, and `-word` / `-"phrase"`
to exclude. Everything else is text: other punctuation separates words, unbalanced quotes close
at the end, English stop words outside phrases are dropped, and the input is capped.
"""

import re
from dataclasses import dataclass, field
from itertools import pairwise

MAX_QUERY_CHARS = 256
MAX_CLAUSES = 16
MAX_WORD_CHARS = 64
MAX_SYNONYMS = 3

TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')
# Letters, digits and a few joiners (node.js, c++, c#, real-time); anything else separates words.
WORD = re.compile(r"[^\W_](?:[\w.+#'/-]*[\w+#])?")

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with you your yours yourself yourselves""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Clause:
    """A word, or a phrase of words, to find (or to exclude when `negated`)."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """`groups` are ANDed; the clauses inside one group are alternatives (OR)."""

    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def has_phrase(self) -> bool:
        return any(clause.phrase for group in self.groups for clause in group)

    def positive_words(self) -> list[str]:
        return [word for group in self.groups for clause in group for word in clause.words]

    def any_wanted(self) -> "ParsedQuery":
        """Any one of the wanted words or phrases: an OR of every positive clause."""
        return ParsedQuery(groups=[[clause for group in self.groups for clause in group]])

    def text(self) -> str:
        """The query written back in web-search syntax (shown as "showing results for")."""
        parts = [" or ".join(_clause_text(clause) for clause in group) for group in self.groups]
        parts += [_clause_text(clause) for clause in self.excluded]
        return " ".join(parts)

    def replace_words(self, corrections: dict[str, str]) -> "ParsedQuery":
        """The same query with single-word clauses replaced by their corrections."""

        def fix(clause: Clause) -> Clause:
            if clause.phrase or clause.words[0] not in corrections:
                return clause
            return Clause((corrections[clause.words[0]],), negated=clause.negated)

        return ParsedQuery(
            groups=[[fix(clause) for clause in group] for group in self.groups],
            excluded=list(self.excluded),
        )

    def synonym_phrases(self) -> list[str]:
        """The wanted single words, and each two of them in a row: what may have other names."""
        single = [clause.words[0] for group in self.groups for clause in group if not clause.phrase]
        pairs = [_pair(group, after) for group, after in pairwise(self.groups)]
        return list(dict.fromkeys([*single, *(pair for pair in pairs if pair)]))

    def with_synonyms(self, synonyms: dict[str, list[tuple[str, ...]]]) -> "ParsedQuery":
        """The same query where a word (or two words in a row) with other names matches those
        too: each such clause becomes a group of alternatives."""
        groups: list[list[Clause]] = []
        index = 0
        while index < len(self.groups):
            group = self.groups[index]
            after = self.groups[index + 1] if index + 1 < len(self.groups) else None
            pair = _pair(group, after)
            if pair in synonyms:
                groups.append(
                    [Clause(tuple(pair.split()), phrase=True), *_alternatives(pair, synonyms)]
                )
                index += 2
                continue
            expanded: list[Clause] = []
            for clause in group:
                expanded.append(clause)
                if not clause.phrase:
                    expanded += _alternatives(clause.words[0], synonyms)
            groups.append(list(dict.fromkeys(expanded)))
            index += 1
        return ParsedQuery(groups=groups, excluded=list(self.excluded))


def _pair(group: list[Clause], after: list[Clause] | None) -> str:
    if after is None or len(group) != 1 or len(after) != 1 or group[0].phrase or after[0].phrase:
        return ""
    return f"{group[0].words[0]} {after[0].words[0]}"


def _alternatives(phrase: str, synonyms: dict[str, list[tuple[str, ...]]]) -> list[Clause]:
    return [
        Clause(words, phrase=len(words) > 1)
        for words in synonyms.get(phrase, [])[:MAX_SYNONYMS]
        if words and words != tuple(phrase.split())
    ]


def _clause_text(clause: Clause) -> str:
    text = " ".join(clause.words)
    if clause.phrase:
        text = f'"{text}"'
    return f"-{text}" if clause.negated else text


def words_of(text: str) -> list[str]:
    """Lower-case words of a text, with the same rules as a query (stop words kept)."""
    return [word[:MAX_WORD_CHARS] for word in WORD.findall(text.lower())]


def parse(raw: str) -> ParsedQuery:
    """Parse user input into clauses; never raises, whatever the input."""
    text = raw[:MAX_QUERY_CHARS].replace("\x00", " ")
    query = ParsedQuery()
    pending_or = False
    for token in TOKEN.findall(text):
        negated = token.startswith("-")
        body = token[1:] if negated else token
        quoted = body.startswith('"')
        if not quoted and not negated and body.lower() == "or":
            pending_or = bool(query.groups)
            continue
        words = words_of(body.strip('"'))
        clauses: list[Clause]
        if quoted and len(words) > 1:
            clauses = [Clause(tuple(words), phrase=True, negated=negated)]
        else:
            clauses = [
                Clause((word,), negated=negated)
                for word in words
                if quoted or negated or word not in STOP_WORDS
            ]
        for clause in clauses:
            if len(query.groups) + len(query.excluded) >= MAX_CLAUSES:
                return query
            if clause.negated:
                query.excluded.append(clause)
            elif pending_or:
                query.groups[-1].append(clause)
            else:
                query.groups.append([clause])
            pending_or = False
    return query


def keyword_query(text: str, *, limit: int = 12) -> ParsedQuery:
    """An OR of a text's most frequent meaningful words: the query behind "similar items"."""
    counts: dict[str, int] = {}
    for word in words_of(text[:20_000]):
        if word not in STOP_WORDS and len(word) > 2 and not word.isdigit():
            counts[word] = counts.get(word, 0) + 1
    best = sorted(counts, key=lambda word: (-counts[word], word))[:limit]
    return ParsedQuery(groups=[[Clause((word,)) for word in best]] if best else [])
