"""What a section is about, from its heading: fuzzy, because every learner words it differently.

A heading is reduced to lower-case words; each kind has stems that must start one of those words
(so "Challenges", "challenge" and "CHALLENGES FACED" all match "challeng"), and a misspelt word
still matches a stem when it is close enough (an edit distance).
"""

import re
from collections import defaultdict
from functools import lru_cache

from nexus.core.edits import edit_distance

MONTH = re.compile(r"\bmonth\s*(\d{1,2})\b", re.IGNORECASE)
WEEK = re.compile(r"\bweek\s*(\d{1,2})\b", re.IGNORECASE)

# Order matters: the first kind whose stems match wins ("Debugging struggles & lessons learned"
# is about challenges before it is about takeaways). The stems are the words learners use for
# each section, synonyms included ("Roadblocks", "Key Topics", "Built With").
KIND_STEMS: list[tuple[str, tuple[str, ...]]] = [
    (
        "worklog",
        ("worklog", "monthly", "timeline", "roadmap-of-learning", "weekly", "week-by-week"),
    ),
    (
        "challenges",
        (
            "challeng",
            "problem",
            "struggl",
            "obstacl",
            "hurdl",
            "issues",
            "pitfall",
            "difficult",
            "roadblock",
            "blocker",
            "setback",
            "gotcha",
            "bugs",
        ),
    ),
    # "lessons" (learned), not "Lesson 3: Docker"; "tip" for "ProDev Tip!".
    (
        "practices",
        (
            "practic",
            "takeaway",
            "lessons",
            "differently",
            "tip",
            # Plural: advice; "Movie Recommendation Backend" is a product.
            "recommendations",
            "guideline",
            "insight",
            "advice",
            "habit",
            "do's",
            "dos",
        ),
    ),
    (
        "technologies",
        (
            "technolog",
            "stack",
            "tools",
            "tooling",
            "toolkit",
            "toolbox",
            "tech",
            "frameworks",
            "languages",
            "libraries",
        ),
    ),
    # Footers, link lists and teamwork: what sits under them is no concept or practice of the
    # author's learning (the labelling rules leave tips inside collaboration out too).
    (
        "other",
        (
            "author",
            "authors",
            "credit",
            "acknowledg",
            "contact",
            "licen",
            "contribut",
            "connect",
            "thank",
            "reference",
            "resources",
            "links",
            "collaborat",
        ),
    ),
    (
        "concepts",
        (
            "concept",
            "learning",
            "learned",
            "learnt",
            "mastered",
            "skills",
            "knowledge",
            "studied",
            "covered",
            "understood",
            "curriculum",
        ),
    ),
    ("objective", ("objective", "goal", "purpose", "mission")),
    ("features", ("feature",)),
    ("overview", ("overview", "introduction", "about")),
]
# Kinds a heading only names in a short head, before any dash or colon ("Key Features",
# "About"): further on, the word is part of a topic ("Lesson 1: Introduction to Django").
WEAK_KINDS = frozenset({"objective", "features", "overview"})
WEAK_KIND_MAX_WORDS = 4
HEAD_END = re.compile(r"\s+[-\u2013\u2014]\s+|:\s*|\s\(")
# A misspelt word names only these kinds (a near-miss of "author" is mostly "authorization").
# "learners", "workers": the people who do what the stem says, a word of their own.
AGENT_NOUN = re.compile(r"ers?$")
MISSPELT_KINDS = frozenset({"worklog", "challenges", "practices", "technologies", "concepts"})
PHRASES: dict[str, str] = {
    # Plans are neither challenges met nor things learned (a "Next steps" list is no problem).
    "next step": "roadmap",
    "future": "roadmap",
    "continue learning": "roadmap",
    "looking ahead": "roadmap",
    "enhancement": "roadmap",
    "action plan": "roadmap",
    "what's next": "roadmap",
    "what is next": "roadmap",
    "to-do": "roadmap",
    "todo": "roadmap",
    # A list of the programme's lessons is its curriculum, not lessons learned.
    "lessons overview": "concepts",
    "lessons covered": "concepts",
    "lesson plan": "concepts",
    "list of lessons": "concepts",
    "key topics": "concepts",
    "main topics": "concepts",
    "core topics": "concepts",
    "topics covered": "concepts",
    "what i learned": "concepts",
    "what i've learned": "concepts",
    "key learnings": "concepts",
    "issues & fixes": "challenges",
    "issues and fixes": "challenges",
    "pain points": "challenges",
    "what went wrong": "challenges",
    "built with": "technologies",
    "knowledge shar": "other",
    # A product README's sections: its open bugs and the problem it solves are no challenges
    # the author met.
    "known issue": "other",
    "known bug": "other",
    "problem statement": "objective",
    "problems solved": "objective",
    "problem it solves": "objective",
    "work log": "worklog",
    "progress log": "worklog",
    "learning log": "worklog",
}
VOCABULARY = {stem: kind for kind, stems in KIND_STEMS for stem in stems}
# Stems that are whole words: "tech" is no "technique", "author" no "authorization".
WHOLE_WORDS = frozenset({"author", "authors", "tech", "dos", "do's", "bugs", "links", "connect"})


def _words(title: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", title.lower())


def _starts(word: str, stem: str) -> bool:
    return word == stem if stem in WHOLE_WORDS else word.startswith(stem)


def _close(word: str, stem: str) -> bool:
    """A misspelling of the stem ("chalenges", "tecnologies"): one slip (two in a long stem)
    in the word's start, so "workflows" is no misspelt "worklog"."""
    if len(word) < 6 or len(stem) < 6 or word[0] != stem[0] or stem.startswith(word):
        return False  # "lesson" is a word of its own, not a misspelt "lessons"
    if stem.startswith(AGENT_NOUN.sub("", word)):
        return False  # "learners" (people) is a word of its own, not a misspelt "learned"
    allowed = 1 if len(stem) < 9 else 2
    return any(
        edit_distance(word[:length], stem, allowed) <= allowed
        for length in range(len(stem) - 1, len(stem) + 2)
        if length <= len(word)
    )


# Per word, not per heading: headings are mostly new to a process, their words mostly not, and
# trying a word against every stem (an edit distance for each near miss) is most of the cost.
# Only stems that begin with the word's first letter can name it or be misspelt by it.
def _stems_by_letter() -> dict[str, tuple[tuple[str, str], ...]]:
    by_letter: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind, stems in KIND_STEMS:
        for stem in stems:
            by_letter[stem[0]].append((kind, stem))
    return {letter: tuple(pairs) for letter, pairs in by_letter.items()}


STEMS_BY_LETTER = _stems_by_letter()


@lru_cache(maxsize=16384)
def _kinds_named(word: str) -> frozenset[str]:
    return frozenset(kind for kind, stem in STEMS_BY_LETTER.get(word[0], ()) if _starts(word, stem))


@lru_cache(maxsize=16384)
def _kinds_misspelt(word: str) -> frozenset[str]:
    return frozenset(
        kind
        for kind, stem in STEMS_BY_LETTER.get(word[0], ())
        if kind in MISSPELT_KINDS and _close(word, stem)
    )


@lru_cache(maxsize=4096)
def classify_heading(title: str) -> str:
    """One of: month, week, worklog, challenges, practices, technologies, concepts, objective,
    features, overview, roadmap, other, or "" when the heading says nothing we recognise."""
    if MONTH.search(title):
        return "month"
    if WEEK.search(title):
        return "week"
    lowered = title.lower()
    for phrase, kind in PHRASES.items():
        if phrase in lowered:
            return kind
    words = _words(title)
    head = _words(HEAD_END.split(title, maxsplit=1)[0])
    # "Program Overview — for context" is an overview; "Lesson 1: Introduction to Django" is a
    # lesson: the weak kinds count only in a short head.
    named = frozenset().union(*map(_kinds_named, words))
    named_in_head = (
        frozenset().union(*map(_kinds_named, head))
        if len(head) <= WEAK_KIND_MAX_WORDS
        else frozenset()
    )
    for kind, _stems in KIND_STEMS:
        if kind in (named_in_head if kind in WEAK_KINDS else named):
            return kind
    misspelt = frozenset().union(*map(_kinds_misspelt, words))
    for kind, _stems in KIND_STEMS:
        if kind in misspelt:
            return kind
    return ""


def practice_kind(title: str) -> str:
    """A takeaway section says "takeaway" (or "lesson", "differently") without "practice"."""
    lowered = title.lower()
    if "practic" in lowered:
        return "best_practice"
    return "takeaway"


def month_number(title: str) -> int | None:
    match = MONTH.search(title)
    return int(match.group(1)) if match else None
