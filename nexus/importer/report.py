"""The import report as text: the summary table the CLI prints, and a progress bar."""

import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from nexus.importer.pipeline import ImportProgress

SUMMARY_ACTIONS = (
    "created",
    "updated",
    "unchanged",
    "matched",
    "unmatched",
    "linked",
    "pending",
    "skipped",
    "failed",
)
BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar on a terminal stream (stderr), redrawn in place."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, update: "ImportProgress") -> None:
        if not update.items_total and update.files_done < update.files_total:
            return  # still reading the files: the bar moves as they are written
        done, total, path = update.files_done, update.files_total, update.path
        filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        name = path if len(path) <= 40 else "…" + path[-39:]
        self.stream.write(f"\r[{bar}] {done}/{total} {name:<40}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Totals per action, then skipped and failed things with their reasons, then pending items."""
    prefix = "DRY RUN: nothing was written. " if report["dry_run"] else ""
    files = report["files"]
    lines = [
        f"{prefix}{report['source']}: {report['files_total']} file(s) — "
        + ", ".join(f"{count} {status}" for status, count in files.items() if count),
        "",
        f"{'action':<12}{'count':>7}",
        f"{'-' * 12}{'-' * 7}",
    ]
    lines += [f"{action:<12}{report['totals'].get(action, 0):>7}" for action in SUMMARY_ACTIONS]
    reasons: list[str] = []
    for file in report["file_reports"]:
        if file["status"] in ("skipped", "failed"):
            reasons.append(f"  {file['status']:<9} {file['path']}: {file['reason']}")
        for item in file["items"]:
            if item["action"] in ("skipped", "pending") and item["reason"]:
                reasons.append(
                    f"  {item['action']:<9} {file['path']} · {item['kind']} “{item['title']}”: "
                    f"{item['reason']}"
                )
    if reasons:
        lines += ["", "Reasons:", *reasons]
    return lines
