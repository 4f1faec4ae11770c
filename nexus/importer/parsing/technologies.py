"""Technology names as learners write them, mapped to one canonical name and a default category.

The knowledge sink matches canonical names (and these aliases) against the technologies in the
database; names not listed here are kept as the learner wrote them.
"""

import re
from collections.abc import Sequence

# canonical name: (default category, aliases in lower case)
KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "Python": ("Languages & Frameworks", ("python", "python 3", "python3", "core python")),
    "Django": ("Languages & Frameworks", ("django", "django framework")),
    "Django REST Framework": ("APIs", ("django rest framework", "drf", "django rest")),
    "FastAPI": ("Languages & Frameworks", ("fastapi",)),
    "Flask": ("Languages & Frameworks", ("flask",)),
    "JavaScript": ("Languages & Frameworks", ("javascript", "js")),
    "TypeScript": ("Languages & Frameworks", ("typescript", "ts")),
    "Node.js": ("Languages & Frameworks", ("node.js", "nodejs", "node")),
    "React": ("Languages & Frameworks", ("react", "react.js", "reactjs")),
    "Tailwind CSS": ("Languages & Frameworks", ("tailwind css", "tailwindcss", "tailwind")),
    "Zustand": ("Languages & Frameworks", ("zustand",)),
    "PWA": ("Languages & Frameworks", ("pwa", "progressive web apps", "progressive web app")),
    "Next.js": ("Languages & Frameworks", ("next.js", "nextjs")),
    "REST": ("APIs", ("rest", "rest api", "rest apis", "restful", "restful apis", "restful api")),
    "GraphQL": ("APIs", ("graphql", "graphql apis", "graphql api", "graphene", "graphene-django")),
    "Swagger/OpenAPI": ("APIs", ("swagger", "openapi", "swagger/openapi", "drf-yasg")),
    "Postman": ("APIs", ("postman",)),
    "HTTPie": ("APIs", ("httpie",)),
    "Docker": ("DevOps", ("docker", "docker compose", "docker-compose", "containerization")),
    "Kubernetes": ("DevOps", ("kubernetes", "k8s", "kubectl", "minikube")),
    "Jenkins": ("DevOps", ("jenkins",)),
    "GitHub Actions": ("DevOps", ("github actions", "gh actions")),
    "CI/CD": (
        "DevOps",
        ("ci/cd", "ci/cd pipelines", "ci/cd tools", "ci / cd", "cicd", "continuous integration"),
    ),
    "Git": ("DevOps", ("git", "github", "git flow", "gitflow", "git-flow", "git workflows")),
    "Nginx": ("DevOps", ("nginx",)),
    "Celery": ("Task Management", ("celery", "celery beat", "celery workers")),
    "RabbitMQ": ("Task Management", ("rabbitmq", "rabbit mq", "amqp")),
    "Cron": ("Task Management", ("cron", "cron jobs", "crontab", "cronjobs")),
    "Firewalls": ("Security", ("firewalls", "firewall", "ufw")),
    "HTTPS/SSL": ("Security", ("https/ssl", "https", "ssl", "tls", "ssl/tls", "ssl certificates")),
    "Authentication & Authorization": (
        "Security",
        (
            "authentication & authorization",
            "authentication and authorization",
            "auth",
            "authentication",
        ),
    ),
    "JWT": ("Security", ("jwt", "json web tokens", "simplejwt", "jwt authentication")),
    "OAuth": ("Security", ("oauth", "oauth2")),
    "PostgreSQL": (
        "Database & ORM",
        ("postgresql", "postgres", "psql", "postgre", "postgresql database"),
    ),
    "MySQL": ("Database & ORM", ("mysql",)),
    "SQLite": ("Database & ORM", ("sqlite", "sqlite3")),
    "MongoDB": ("Database & ORM", ("mongodb", "mongo")),
    "SQL": ("Database & ORM", ("sql", "advanced sql")),
    "Django ORM": ("Database & ORM", ("django orm", "orm")),
    "Redis": ("Caching & Queues", ("redis", "redis cache")),
    "Kafka": ("Caching & Queues", ("kafka", "apache kafka")),
    "Monitoring": (
        "Monitoring",
        ("monitoring", "webstack monitoring", "webstack monitoring tools"),
    ),
    "Prometheus": ("Monitoring", ("prometheus",)),
    "Grafana": ("Monitoring", ("grafana",)),
    "Pytest": ("Testing", ("pytest", "py.test")),
    "Unittest": ("Testing", ("unittest",)),
    "Linux": ("Tools", ("linux", "shell", "bash", "shell scripting", "linux shell")),
    "AWS": ("Cloud", ("aws", "amazon web services")),
    "Heroku": ("Cloud", ("heroku",)),
    "Chapa": ("APIs", ("chapa", "chapa api")),
    "Stripe": ("APIs", ("stripe",)),
}
ALIASES: dict[str, str] = {
    alias: name
    for name, (_category, aliases) in KNOWN.items()
    for alias in (*aliases, name.lower())
}
# Everyday words that are only a technology in a list of technologies, never in prose.
NOT_IN_PROSE = frozenset({"rest", "node", "auth", "shell", "orm", "monitoring", "authentication"})
# Longest aliases first, so "django rest framework" wins over "django" when scanning prose.
_SCAN = re.compile(
    r"(?<![\w/.-])("
    + "|".join(
        re.escape(alias)
        for alias in sorted(ALIASES, key=len, reverse=True)
        if len(alias) > 2 and alias not in NOT_IN_PROSE
    )
    + r")(?![\w/-])",
    re.IGNORECASE,
)
_REST_IN_PROSE = re.compile(r"\bREST(?:ful)?\b")
_NOTE = re.compile(r"\s*\([^)]*\)")
# Around a name: spaces, emphasis marks, and the dash or colon a learner left after it.
_NAME_EDGES = " .*:\u2013\u2014-"
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")
_SPLIT = re.compile(r"\s*(?:\+|&|\band\b|/(?!ssl|cd|openapi|tls))\s*", re.IGNORECASE)
_NAME_CUT = re.compile(
    r"\s+[\u2013\u2014-]\s+|:\s|\s\(|\s+for\s+|\s+with\s+|\s+to\s+", re.IGNORECASE
)
MAX_UNKNOWN_WORDS = 3
# A name ending in one of these describes an activity ("Unit Testing", "API Integration",
# "System Design"), not a tool.
GENERIC_TAIL = frozenset(
    {"testing", "tests", "design", "integration", "integrations", "management", "principles"}
    | {"tools", "deployment", "processing", "rendering", "basics", "scripting", "systems"}
    | {"strategies", "concepts", "development"}
)


# Endings of everyday English nouns and verbs, which a product's one-word name rarely has.
COMMON_WORD_ENDINGS = ("tion", "sion", "ing", "ment", "ness", "ity", "ance", "ence", "ison")


def canonical(name: str) -> str | None:
    """The canonical name for a written name, or None when it is not a known technology."""
    key = " ".join(name.lower().replace("`", "").split()).strip(" .:*")
    return ALIASES.get(key)


def default_category(name: str) -> str:
    return KNOWN[name][0] if name in KNOWN else "Other"


def names_in_item(text: str, emphasised: Sequence[str] = ()) -> list[str]:
    """Technology names in one list item ("Celery + RabbitMQ - queues" → Celery, RabbitMQ;
    "Django (ORM), Celery (tasks)" → Django, Celery). When the item is a sentence, the names
    it sets in bold (`emphasised`), else the known names it mentions."""
    without_notes = _NOTE.sub("", text)
    if "," in without_notes:
        text = without_notes
    head = _NAME_CUT.split(text, maxsplit=1)[0].strip(_NAME_EDGES)
    if not head:
        return []
    whole = canonical(head)
    if whole:
        return [whole]
    names: list[str] = []
    for part in _LIST_SPLIT.split(head):
        known = canonical(part.strip(" .*()"))
        pieces = [known] if known else _SPLIT.split(part)
        for piece in pieces:
            piece = piece.strip(_NAME_EDGES + "()")
            if not piece:
                continue
            name = canonical(piece)
            if name:
                names.append(name)
            elif len(piece.split()) <= MAX_UNKNOWN_WORDS and _looks_like_a_name(piece):
                names.append(piece)
    if not names:
        names = [name for run in emphasised for name in _emphasised_name(run)] or scan(text)
    return list(dict.fromkeys(names))


def names_only(text: str) -> list[str]:
    """The names a text consists of ("Jenkins", "Celery + RabbitMQ"), or [] when any part of it
    is something else ("Authentication and authorization systems")."""
    text = _NOTE.sub("", text).strip(_NAME_EDGES)
    whole = canonical(text)
    if whole:
        return [whole]
    names = []
    for part in _LIST_SPLIT.split(text):
        known = canonical(part)
        for piece in [part] if known else _SPLIT.split(part):
            piece = piece.strip(_NAME_EDGES)
            name = canonical(piece) or (piece if piece and _looks_like_a_name(piece) else None)
            if name is None or len(piece.split()) > MAX_UNKNOWN_WORDS:
                return []
            names.append(name)
    return list(dict.fromkeys(names))


def _emphasised_name(run: str) -> list[str]:
    run = run.strip(_NAME_EDGES)
    known = canonical(run)
    if known:
        return [known]
    short = bool(run) and len(run.split()) <= MAX_UNKNOWN_WORDS
    return [run] if short and _looks_like_a_name(run) else []


def _looks_like_a_name(piece: str) -> bool:
    """ "Styled Components", "Vercel", "drawSQL", "dbdiagram.io" name a tool; "Separation of
    concerns" or "custom components" describe something."""
    if piece.split()[-1].lower() in GENERIC_TAIL:
        return False
    if " " not in piece and piece[1:].islower() and piece.lower().endswith(COMMON_WORD_ENDINGS):
        return False  # "Serialization", "Working", "Management": a word, not a product
    return piece[0].isalpha() and all(
        word[0].isupper() or any(c.isupper() or c in "./+#" for c in word[1:])
        for word in piece.split()
    )


def scan(text: str) -> list[str]:
    """Known technologies mentioned anywhere in a piece of prose, in order of first mention."""
    found = [(m.start(), ALIASES[m.group(1).lower()]) for m in _SCAN.finditer(text)]
    found += [(m.start(), "REST") for m in _REST_IN_PROSE.finditer(text)]
    return list(dict.fromkeys(name for _start, name in sorted(found)))
