"""Figures a proof reports (cells asked, requests sent, bytes that got through, milliseconds):
printed together at the end of the run, under make test and make verify alike, from every xdist
worker, where print() would show them only with -s.

    figures.report(f"permission matrix, rest: {cells} cells, 0 mismatches")
"""

import pytest

KEY = "figure"
_pending: list[str] = []


def report(text: str) -> None:
    _pending.append(text.strip())


def attach(item: pytest.Item) -> None:
    """Move what the test reported so far onto it (conftest's makereport hook): xdist sends a
    test's user_properties to the controller with its reports."""
    item.user_properties.extend((KEY, text) for text in _pending)
    _pending.clear()


def write_summary(terminal: pytest.TerminalReporter) -> None:
    lines = [
        value
        for reports in terminal.stats.values()
        for report in reports
        if getattr(report, "when", "") == "teardown"
        for key, value in getattr(report, "user_properties", ())
        if key == KEY
    ]
    if lines:
        terminal.section("figures")
        for line in lines:
            terminal.write_line(line)
