"""Extraction quality on every hand-labelled journal: precision and recall per kind, on the part
used while tuning the parser and on the held-out part, printed and held to floors."""

import pytest

from nexus.importer.parsing import parse_document
from tests import figures
from tests.importer import labelled
from tests.importer.rewrites import Rewrite, bold_from, demoted

# A little under what the parser reaches (tuning, held out); a regression fails the build.
FLOORS: dict[str, dict[str, tuple[float, float]]] = {
    "tuning": {
        "technologies": (0.87, 0.90),
        "categories": (0.90, 0.88),
        "concepts": (0.90, 0.83),
        "challenges": (0.96, 0.97),
        "practices": (0.95, 0.97),
        "periods": (0.97, 0.97),
        "milestones": (0.97, 0.00),
        "solutions": (0.97, 0.95),
        "overall": (0.92, 0.92),
    },
    "held out": {
        "technologies": (0.72, 0.69),
        "categories": (0.47, 0.55),
        "concepts": (0.59, 0.88),
        "challenges": (0.56, 0.74),
        "practices": (0.70, 0.79),
        "periods": (0.97, 0.97),
        "milestones": (0.97, 0.97),
        "solutions": (0.97, 0.93),
        "overall": (0.65, 0.75),
    },
}


# The tuning journals rewritten in other markup, scored against their own labels: what the
# parser learnt from them must not hang on how their authors happened to mark headings.
REWRITES: dict[str, tuple[Rewrite, tuple[float, float]]] = {
    "headings a level deeper": (demoted, (0.92, 0.92)),
    "sub-headings as bold lines": (bold_from(3), (0.92, 0.91)),
    "all sections as bold lines": (bold_from(2), (0.90, 0.89)),
}


def _score_parts(corpus_dir, rewrite: Rewrite | None = None) -> dict[str, labelled.Score]:
    """Scores of the tuning and held-out journals; with `rewrite`, of the tuning journals only,
    each rewritten before it is parsed (the held-out part stays empty, its journals unread)."""
    labels = labelled.load_labels()
    names = sorted(labels)
    parts = {"tuning": labelled.Score(), "held out": labelled.Score()}
    for name in names:
        held_out = labelled.held_out(name, names)
        if held_out and rewrite is not None:
            continue
        data = (corpus_dir / "readmes" / name).read_bytes()
        lines = data.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
        if rewrite is not None:
            data = rewrite("\n".join(lines)).encode()
        score = labelled.score_file(parse_document(data, path=name), labels[name], lines, name)
        part = parts["held out" if held_out else "tuning"]
        for kind, tally in score.kinds.items():
            part.kinds[kind].add(tally.hits, tally.found, tally.expected)
    return parts


def _rows(parts: dict[str, labelled.Score]) -> list[tuple[str, str, labelled.Tally]]:
    return [
        (part, kind, tally)
        for part, score in parts.items()
        for kind, tally in [*score.kinds.items(), ("overall", score.overall)]
    ]


def test_every_journal_of_the_corpus_is_labelled(corpus_dir):
    on_disk = sorted(path.name for path in (corpus_dir / "readmes").glob("*.md"))
    assert sorted(labelled.load_labels()) == on_disk


def test_extraction_meets_its_floors_on_tuning_and_held_out_journals(corpus_dir):
    rows = _rows(_score_parts(corpus_dir))
    for part, kind, tally in rows:
        figures.report(
            f"extraction {part:<8} {kind:<12} precision {tally.precision:.2f} "
            f"recall {tally.recall:.2f}  ({tally.hits} matched, {tally.found} found, "
            f"{tally.expected} labelled)"
        )
    failures = [
        f"{part} {kind}: {tally.precision:.2f}/{tally.recall:.2f} < {FLOORS[part][kind]}"
        for part, kind, tally in rows
        if tally.precision < FLOORS[part][kind][0] or tally.recall < FLOORS[part][kind][1]
    ]
    assert failures == []


@pytest.mark.parametrize("name", list(REWRITES))
def test_extraction_holds_on_the_tuning_journals_in_other_markup(corpus_dir, name):
    rewrite, (precision_floor, recall_floor) = REWRITES[name]
    overall = _score_parts(corpus_dir, rewrite)["tuning"].overall
    figures.report(
        f"extraction tuning, {name:<26} precision {overall.precision:.2f} "
        f"recall {overall.recall:.2f}"
    )
    assert overall.precision >= precision_floor
    assert overall.recall >= recall_floor


@pytest.mark.parametrize(
    ("found", "label", "matches"),
    [
        ("slow api responses", "slow api responses added caching and pagination", True),
        ("docker build failures", "docker build failed in ci", True),
        ("caching", "database design normalization indexing", False),
        ("a", "a slow page", False),
    ],
)
def test_the_matching_rule_is_containment_or_half_the_words(found, label, matches):
    assert (labelled.similarity(found, label) > 0) is matches


def test_matching_is_one_to_one():
    pairs = labelled.match(["docker setup", "docker setup"], ["docker setup"])
    assert pairs == [(0, 0)]


def test_a_reference_to_an_edited_line_fails_loudly():
    lines = ["# Title", "- Cursor pagination"]
    reference = f"L2#{labelled.text_hash(lines[1])} +"
    assert labelled.resolve(reference, lines, "here") == ("cursor pagination", "+")
    with pytest.raises(AssertionError, match="no longer says"):
        labelled.resolve(reference, ["# Title", "- Offset pagination"], "here")
