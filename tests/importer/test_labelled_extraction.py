"""Extraction quality on hand-labelled journals: precision and recall per kind, with floors."""

import difflib
import re
from pathlib import Path

import yaml

from nexus.importer.parsing import parse_document
from nexus.importer.parsing import technologies as tech

LABELS = yaml.safe_load((Path(__file__).parent / "labels.yaml").read_text(encoding="utf-8"))
# Floors sit a little under what the parser reaches today, so a regression fails the build.
FLOORS = {
    "technologies": (0.75, 0.85),
    "challenges": (0.85, 0.90),
    "practices": (0.85, 0.85),
}
TITLE_MATCH_RATIO = 0.5


def _tech_key(name: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", (tech.canonical(name) or name).lower())


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9+/.]+", text.lower())) - {"and", "the", "of", "in", "with", "a"}


def _same_challenge(label: str, title: str) -> bool:
    label_words, title_words = _words(label), _words(title)
    if label_words and len(label_words & title_words) / len(label_words) >= TITLE_MATCH_RATIO:
        return True
    return difflib.SequenceMatcher(None, label.lower(), title.lower()).ratio() >= 0.6


def _matched_titles(labels: list[str], titles: list[str]) -> int:
    remaining = list(titles)
    hits = 0
    for label in labels:
        match = next((title for title in remaining if _same_challenge(label, title)), None)
        if match is not None:
            remaining.remove(match)
            hits += 1
    return hits


def _ratio(hits: int, total: int) -> float:
    return 1.0 if total == 0 else hits / total


def test_labelled_journals_meet_precision_and_recall_floors(corpus_dir, capsys):
    assert len(LABELS) >= 10
    sums = {kind: {"hits": 0, "found": 0, "expected": 0} for kind in (*FLOORS, "months")}
    lines = [f"{'file':<44}{'tech P/R':>12}{'chal P/R':>12}{'prac f/e':>10}"]
    for name, label in LABELS.items():
        document = parse_document((corpus_dir / "readmes" / name).read_bytes(), path=name)
        found_tech = {_tech_key(n) for n in document.technologies}
        expected_tech = {_tech_key(n) for n in label["technologies"]}
        tech_hits = len(found_tech & expected_tech)
        titles = [challenge.title for challenge in document.challenges]
        chal_hits = _matched_titles(label["challenges"], titles)
        counts = {
            "technologies": (tech_hits, len(found_tech), len(expected_tech)),
            "challenges": (chal_hits, len(titles), len(label["challenges"])),
            "practices": (
                min(len(document.practices), label["practices"]),
                len(document.practices),
                label["practices"],
            ),
            "months": (
                min(len(document.months), label["months"]),
                len(document.months),
                label["months"],
            ),
        }
        for kind, (hits, found, expected) in counts.items():
            sums[kind]["hits"] += hits
            sums[kind]["found"] += found
            sums[kind]["expected"] += expected
        lines.append(
            f"{name[:43]:<44}"
            f"{_ratio(tech_hits, len(found_tech)):>6.2f}/{_ratio(tech_hits, len(expected_tech)):.2f}"
            f"{_ratio(chal_hits, len(titles)):>6.2f}/{_ratio(chal_hits, len(label['challenges'])):.2f}"
            f"{len(document.practices):>6}/{label['practices']}"
        )
    lines.append("")
    results = {}
    for kind, total in sums.items():
        precision = _ratio(total["hits"], total["found"])
        recall = _ratio(total["hits"], total["expected"])
        results[kind] = (precision, recall)
        lines.append(f"{kind:<14} precision {precision:.2f}  recall {recall:.2f}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    for kind, (precision_floor, recall_floor) in FLOORS.items():
        precision, recall = results[kind]
        assert precision >= precision_floor, f"{kind} precision {precision:.2f} < {precision_floor}"
        assert recall >= recall_floor, f"{kind} recall {recall:.2f} < {recall_floor}"
    assert results["months"] == (1.0, 1.0)
