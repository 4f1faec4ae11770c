"""What a section is about, from its heading: fuzzy, because every learner words it differently.

A heading is reduced to lower-case words; each kind has stems that must start one of those words
(so "Challenges", "challenge" and "CHALLENGES FACED" all match "challeng"), and a misspelt word
still matches a stem when it is close enough (difflib ratio).
"""

import difflib
import re
from functools import lru_cache

MONTH = re.compile(r"\bmonth\s*(\d{1,2})\b", re.IGNORECASE)
WEEK = re.compile(r"\bweek\s*(\d{1,2})\b", re.IGNORECASE)
TYPO_RATIO = 0.84

# Order matters: the first kind whose stems match wins ("Debugging struggles & lessons learned"
# is about challenges before it is about takeaways).
KIND_STEMS: list[tuple[str, tuple[str, ...]]] = [
    (
        "worklog",
        ("worklog", "monthly", "timeline", "roadmap-of-learning", "weekly", "week-by-week"),
    ),
    ("challenges", ("challeng", "problem", "struggl", "obstacl", "hurdl", "issues", "pitfall")),
    # "lessons" (learned), not "Lesson 3: Docker"; "tip" for "ProDev Tip!".
    ("practices", ("practic", "takeaway", "lessons", "differently", "tip", "recommendation")),
    ("technologies", ("technolog", "stack", "tools", "tooling")),
    ("concepts", ("concept", "learning", "learned", "learnt", "mastered", "skills")),
    ("objective", ("objective", "goal", "purpose", "mission")),
    ("features", ("feature",)),
    ("overview", ("overview", "introduction", "about")),
]
PHRASES: dict[str, str] = {
    # Plans are neither challenges met nor things learned (a "Next steps" list is no problem).
    "next step": "roadmap",
    "future": "roadmap",
    "continue learning": "roadmap",
    "looking ahead": "roadmap",
    "enhancement": "roadmap",
    "action plan": "roadmap",
    "what i learned": "concepts",
    "key learnings": "concepts",
    "issues & fixes": "challenges",
    "issues and fixes": "challenges",
    "pain points": "challenges",
}
VOCABULARY = {stem: kind for kind, stems in KIND_STEMS for stem in stems}


def _words(title: str) -> list[str]:
    return re.findall(r"[a-z][a-z'-]*", title.lower())


def _close(word: str, stem: str) -> bool:
    """A misspelling of the stem ("chalenges", "tecnologies"): same first letter, high ratio."""
    if len(word) < 6 or word[0] != stem[0] or stem.startswith(word):
        return False  # "lesson" is a word of its own, not a misspelt "lessons"
    matcher = difflib.SequenceMatcher(None, word[: len(stem)], stem)
    return matcher.real_quick_ratio() >= TYPO_RATIO and matcher.ratio() >= TYPO_RATIO


@lru_cache(maxsize=4096)
def classify_heading(title: str) -> str:
    """One of: month, week, worklog, challenges, practices, technologies, concepts, objective,
    features, overview, roadmap, or "" when the heading says nothing we recognise."""
    if MONTH.search(title):
        return "month"
    if WEEK.search(title):
        return "week"
    lowered = title.lower()
    for phrase, kind in PHRASES.items():
        if phrase in lowered:
            return kind
    words = _words(title)
    for kind, stems in KIND_STEMS:
        if any(word.startswith(stem) for word in words for stem in stems):
            return kind
    for kind, stems in KIND_STEMS:
        if any(_close(word, stem) for word in words for stem in stems):
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
