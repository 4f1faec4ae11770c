"""The expand/contract check: migrations new since the previous release may neither break the code
of that release, which keeps serving while they run, nor lock a table it uses (docs/deploy.md).

"The previous release" is the baseline file, deploy/released-migrations.txt: every migration of
the project's apps that has shipped. A release adds its migrations to it
(`manage.py check_migrations --release`), so the check needs no git history and runs the same in
a shallow clone.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from nexus.core.migration_safety.rules import Judge, Problem

BASELINE = Path(settings.BASE_DIR) / "deploy" / "released-migrations.txt"
# A Migration attribute: the reviewer's reason why its refused operations are safe after all.
REVIEW_ATTRIBUTE = "reviewed_as_safe"
_REASON_MIN_LENGTH = 10
_HEADER = (
    "# Migrations of the previous release: the expand/contract check (make migrations-check)\n"
    "# judges every other migration against them. Written at release time by\n"
    "# `manage.py check_migrations --release`; see docs/deploy.md.\n"
)

Node = tuple[str, str]


class MigrationCheckError(ValueError):
    """The baseline file or a migration's review marker cannot be used as it is."""


@dataclass(frozen=True)
class Finding:
    """One operation of one migration that the previous release cannot live with."""

    migration: str
    operation: str
    problem: Problem

    def __str__(self) -> str:
        return (
            f"{self.migration}, {self.operation}:\n"
            f"    {self.problem.what}\n"
            f"    fix: {self.problem.fix}"
        )


@dataclass
class Report:
    """What the check found in the migrations new since the previous release."""

    checked: list[str] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    reviewed: list[tuple[Finding, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def check_migrations(released: ProjectState, migrations: Iterable[Migration]) -> Report:
    """Judge each migration, in the order they apply, against the previous release's state."""
    judge = Judge(released)
    state = released.clone()
    report = Report()
    for migration in migrations:
        name = f"{migration.app_label}.{migration.name}"
        reason = _review_reason(migration, name)
        report.checked.append(name)
        for position, operation in enumerate(migration.operations, start=1):
            label = f"operation {position} {type(operation).__name__} ({operation.describe()})"
            for problem in judge.problems(operation, migration, state):
                finding = Finding(name, label, problem)
                if reason:
                    report.reviewed.append((finding, reason))
                else:
                    report.refused.append(finding)
            operation.state_forwards(migration.app_label, state)
    return report


def check_project(baseline: Path = BASELINE) -> Report:
    """Judge the project's migrations that the baseline does not list as released."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    released = read_baseline(baseline)
    nodes = _plan(loader)
    for node in nodes:
        released = _with_squashed(node, loader.graph.nodes[node], released)
    missing = released - set(nodes)
    if missing:
        listed = ", ".join(f"{app}.{name}" for app, name in sorted(missing))
        raise MigrationCheckError(
            f"{baseline} lists migrations the project does not have: {listed}. A released "
            "migration must never be deleted or renamed (the databases of that release have "
            "applied it); restore it, or remove the line if it was never released."
        )
    own_apps = _project_apps()
    new = [node for node in nodes if node[0] in own_apps and node not in released]
    # Third-party migrations belong to the previous release unless they need a new one of ours.
    new_set = set(new)
    before = [
        node
        for node in nodes
        if node not in new_set and new_set.isdisjoint(loader.graph.forwards_plan(node))
    ]
    released_state = loader.graph.make_state(
        nodes=before, at_end=True, real_apps=loader.unmigrated_apps
    )
    return check_migrations(released_state, (loader.graph.nodes[node] for node in new))


def read_baseline(path: Path) -> set[Node]:
    """The released migrations the file lists, one `app_label.migration_name` per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MigrationCheckError(
            f"{path} does not exist: write it with `manage.py check_migrations --release`"
        ) from None
    released: set[Node] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        app_label, dot, name = line.partition(".")
        if not dot or not app_label or not name or " " in line:
            raise MigrationCheckError(
                f"{path}, line {number}: {line!r} is not `app_label.migration_name`"
            )
        released.add((app_label, name))
    return released


def write_baseline(path: Path = BASELINE) -> int:
    """List every migration of the project's apps as released; returns how many."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    own_apps = _project_apps()
    nodes = sorted(node for node in loader.graph.nodes if node[0] in own_apps)
    path.write_text(_HEADER + "".join(f"{app}.{name}\n" for app, name in nodes), encoding="utf-8")
    return len(nodes)


def _with_squashed(node: Node, migration: Migration, released: set[Node]) -> set[Node]:
    """A squashed migration stands for the ones it replaces: released when they all were."""
    replaced = {(app_label, name) for app_label, name in migration.replaces}
    if not replaced or replaced.isdisjoint(released):
        return released
    if not replaced <= released:
        raise MigrationCheckError(
            f"{node[0]}.{node[1]} squashes released and unreleased migrations "
            f"({', '.join(sorted(name for _, name in replaced - released))} not released): "
            "squash only migrations of a previous release"
        )
    return (released - replaced) | {node}


def _plan(loader: MigrationLoader) -> list[Node]:
    """Every migration, in an order they can apply in."""
    ordered: dict[Node, None] = {}
    for leaf in loader.graph.leaf_nodes():
        ordered.update(dict.fromkeys(loader.graph.forwards_plan(leaf)))
    return list(ordered)


def _project_apps() -> set[str]:
    # Third-party apps' migrations are reviewed when their package is upgraded (docs/deploy.md).
    return {config.label for config in apps.get_app_configs() if config.name.startswith("nexus.")}


def _review_reason(migration: Migration, name: str) -> str:
    reason = getattr(migration, REVIEW_ATTRIBUTE, None)
    if reason is None:
        return ""
    if not isinstance(reason, str) or len(reason.strip()) < _REASON_MIN_LENGTH:
        raise MigrationCheckError(
            f"{name}: {REVIEW_ATTRIBUTE} must say why the migration is safe (a sentence of "
            f"{_REASON_MIN_LENGTH}+ characters), not {reason!r}"
        )
    return reason.strip()
