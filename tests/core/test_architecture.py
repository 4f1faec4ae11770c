"""The layout rules of ../shared/DESIGN.md that a test can hold: no import hidden in a function to
dodge a cycle, core imports no feature app, every module imports, and tasks enqueued by name exist."""

import ast
import importlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from nexus.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nexus"

# Function-level imports of nexus modules that stay, each for a reason other than a cycle.
# Keyed by (file, function, statement); a stale entry fails the test too.
ALLOWED_FUNCTION_IMPORTS = {
    (
        "nexus/payments/apps.py",
        "PaymentsConfig.ready",
        "from nexus.payments.sandbox import embedded",
    ): "registers the local Chapa as a companion manage.py serve starts in embedded mode",
    (
        "nexus/payments/apps.py",
        "PaymentsConfig.ready",
        "from nexus.payments import checkout_policy",
    ): "lets payment forms lead to Chapa's checkout under the Content-Security-Policy",
    # App loading: these modules import models, which exist only once every app is loaded, and
    # importing them registers what the app contributes to another app's registry.
    (
        "nexus/journal/apps.py",
        "JournalConfig.ready",
        "from nexus.journal import evidence",
    ): "registers the journal's evidence providers",
    (
        "nexus/challenges/apps.py",
        "ChallengesConfig.ready",
        "from nexus.challenges import digest, follows",
    ): "registers the challenges section of the digest e-mails and what can be followed",
    (
        "nexus/accounts/apps.py",
        "AccountsConfig.ready",
        "from nexus.accounts import follows",
    ): "registers what can be followed in the app",
    (
        "nexus/collab/apps.py",
        "CollabConfig.ready",
        "from nexus.collab import follows",
    ): "registers what can be followed in the app",
    (
        "nexus/knowledge/apps.py",
        "KnowledgeConfig.ready",
        "from nexus.knowledge import checks, follows",
    ): "registers the attachments' system check and what can be followed in the app",
    (
        "nexus/funding/apps.py",
        "FundingConfig.ready",
        "from nexus.funding import purposes",
    ): "registers the bounty and sponsorship purposes payments pays for",
    (
        "nexus/mentorship/apps.py",
        "MentorshipConfig.ready",
        "from nexus.mentorship import gates",
    ): "registers the review gate knowledge asks before publishing",
    (
        "nexus/core/apps.py",
        "CoreConfig.ready",
        "import nexus.celery",
    ): "makes the project's Celery app current in every Django process, which importing the "
    "package no longer does (nexus --help stays fast)",
    (
        "nexus/core/apps.py",
        "CoreConfig.ready",
        "from nexus.core import deadletters, metrics, pagecache",
    ): "connects the handler that keeps tasks the workers gave up on, the write observer "
    "that makes cached pages obsolete, and the metrics whose outbox collector reads a model",
}
ENQUEUE_FUNCTIONS = frozenset({"enqueue", "enqueue_on_commit"})
DYNAMIC_IMPORTS = frozenset({"import_module", "import_string", "__import__"})
Imports = Iterator[tuple[str, ast.Import | ast.ImportFrom]]


def python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    """The nexus modules (or packages) an import statement names, relative ones resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module_name(path).split(".")
        if path.name != "__init__.py":
            package.pop()
        base = ".".join(package[: len(package) - node.level + 1])
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    return [source, *(f"{source}.{alias.name}" for alias in node.names)]


def is_nexus(name: str) -> bool:
    return name == "nexus" or name.startswith("nexus.")


def walk_imports(tree: ast.AST) -> Imports:
    """Every runtime import with the qualified name of its enclosing function ("" at top level);
    imports under `if TYPE_CHECKING:` are left out."""

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> Imports:
        if isinstance(node, ast.If) and is_type_checking(node):
            for other in node.orelse:
                yield from visit(other, scope, in_function)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield (".".join(scope) if in_function else "", node)
        else:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scope = [*scope, node.name]
                in_function = in_function or not isinstance(node, ast.ClassDef)
            for child in ast.iter_child_nodes(node):
                yield from visit(child, scope, in_function)

    yield from visit(tree, [], False)


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def first_string(call: ast.Call) -> str:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def test_no_function_imports_a_nexus_module_except_the_allowed_ones():
    found = set()
    for path in python_files():
        tree, where = parsed(path), str(path.relative_to(ROOT))
        for function, node in walk_imports(tree):
            if function and any(is_nexus(name) for name in imported_modules(node, path)):
                found.add((where, function, ast.unparse(node)))
        for definition in ast.walk(tree):
            if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
                for call in ast.walk(definition):
                    if (
                        isinstance(call, ast.Call)
                        and called_name(call) in DYNAMIC_IMPORTS
                        and is_nexus(first_string(call))
                    ):
                        found.add((where, definition.name, ast.unparse(call)))
    unexpected = sorted(found - ALLOWED_FUNCTION_IMPORTS.keys())
    assert not unexpected, (
        "Import at module top. A service that needs its app's task enqueues it by name "
        "(nexus.core.taskqueue) or publishes an event (docs/events.md); never import inside a "
        f"function to dodge a cycle: {unexpected}"
    )
    stale = sorted(ALLOWED_FUNCTION_IMPORTS.keys() - found)
    assert not stale, f"Remove these from ALLOWED_FUNCTION_IMPORTS: {stale}"


def test_core_imports_no_feature_app():
    """Not directly, and not through another nexus module (such as nexus.urls) either."""
    features = tuple(
        app for app in settings.INSTALLED_APPS if is_nexus(app) and app != "nexus.core"
    )
    assert features, "no feature app found in INSTALLED_APPS"
    paths = {module_name(path): path for path in python_files()}

    def imported_by(module: str) -> set[str]:
        path = paths[module]
        named = {
            name for _, node in walk_imports(parsed(path)) for name in imported_modules(node, path)
        }
        # Importing a module runs its packages' __init__ too.
        parts = [name.split(".") for name in named]
        return {".".join(p[:i]) for p in parts for i in range(1, len(p) + 1)} & paths.keys()

    came_from: dict[str, str] = {m: "" for m in paths if m.startswith("nexus.core")}
    queue = deque(came_from)
    while queue:
        module = queue.popleft()
        for name in imported_by(module) - came_from.keys():
            came_from[name] = module
            queue.append(name)

    def chain(module: str) -> str:
        return f"{chain(came_from[module])} -> {module}" if came_from[module] else module

    reached = [m for m in came_from if any(m == a or m.startswith(f"{a}.") for a in features)]
    assert not reached, f"core must not import feature apps (use a registry): {chain(reached[0])}"


def test_every_module_imports():
    failures = []
    for path in python_files():
        name = module_name(path)
        try:
            importlib.import_module(name)
        except Exception as exc:
            failures.append(f"{name}: {exc!r}")
    assert not failures


def test_every_task_enqueued_by_name_is_registered():
    """Names are checked here, not at import: each call spells its task's name out."""
    calls = [
        (str(path.relative_to(ROOT)), node.lineno, first_string(node))
        for path in python_files()
        if path != PACKAGE / "core" / "taskqueue.py"
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.Call) and called_name(node) in ENQUEUE_FUNCTIONS
    ]
    assert calls, "no enqueue(...) found: has the helper moved?"
    unknown = [call for call in calls if call[2] not in celery_app.tasks]
    assert not unknown, f"not a registered task name (or not a string literal): {unknown}"
