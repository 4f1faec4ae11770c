"""Review before publishing: knowledge asks the questions, the app that runs reviews answers.

knowledge must not import that app (mentorship builds on knowledge), so mentorship registers
its answers here from its AppConfig.ready(); without one, no article needs a review.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import format_html_join

if TYPE_CHECKING:
    from nexus.accounts.models import User, Viewer
    from nexus.knowledge.models import Article


def _no_panel(viewer: "Viewer", article: "Article") -> str:
    return ""


@dataclass(frozen=True)
class ReviewGate:
    """`required_for(author)`: must this author's articles be reviewed before they are published;
    `is_reviewer(user, article)`: is the user asked to review the article now;
    `panel(viewer, article)`: the HTML the article page shows about its reviews ("" for none)."""

    required_for: "Callable[[User], bool]"
    is_reviewer: "Callable[[User, Article], bool]"
    panel: "Callable[[Viewer, Article], str]" = _no_panel


_gates: list[ReviewGate] = []


def register_review_gate(gate: ReviewGate) -> None:
    """Called once from the reviewing app's ready(); registering the same gate again is a no-op."""
    if gate not in _gates:
        _gates.append(gate)


def review_required(author: "User") -> bool:
    return any(gate.required_for(author) for gate in _gates)


def is_reviewer(user: "User", article: "Article") -> bool:
    return any(gate.is_reviewer(user, article) for gate in _gates)


def review_panel(viewer: "Viewer", article: "Article") -> str:
    """What the article page shows the viewer about the article's reviews (safe HTML)."""
    # Each panel is a rendered template (SafeString): joined so, it stays safe, nothing else is.
    return format_html_join("", "{}", ((gate.panel(viewer, article),) for gate in _gates))
