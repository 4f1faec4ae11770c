"""From a section tree to what a learning journal says: technologies, concepts, challenges,
practices, months and an overview. Everything here is a pure function of the text."""

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from nexus.importer.parsing import stack
from nexus.importer.parsing import technologies as tech
from nexus.importer.parsing.model import (
    Challenge,
    Concept,
    MonthLog,
    ParsedDocument,
    Practice,
    TechnologyGroup,
)
from nexus.importer.parsing.sections import (
    MONTH,
    WEEK,
    classify_heading,
    month_number,
    practice_kind,
)
from nexus.importer.parsing.structure import Item, Section, Table, named_lines, parse_sections
from nexus.importer.parsing.text import clean_markdown

PROBLEM_LABEL = re.compile(
    r"^\W*(problem|challenge|issue|bug|symptom|struggle|what i saw|cause|root cause)s?\s*\d*"
    r"\s*[:\-\u2013\u2014]\s*",
    re.IGNORECASE,
)
SOLUTION_LABEL = re.compile(
    r"^\W*(solution|solved|fix|fixed|resolution|resolved|how i (?:solved|fixed) it|approach|"
    r"what i did|workaround)\s*[:\-\u2013\u2014]\s*",
    re.IGNORECASE,
)
INLINE_SOLUTION = re.compile(
    r"(?:^|\s|[.;])(?:(?:solution|fix|resolution|how i solved it)\s*[:\-\u2013\u2014]|"
    r"(?:solved|fixed|resolved) (?=by|with|using))\s*(.+)$",
    re.IGNORECASE | re.DOTALL,
)
LONE_LABEL = re.compile(
    r"^\W*(?:(problem|challenge|issue)|(solution|fix|resolution)(?: implemented)?)s?\W*$",
    re.IGNORECASE,
)
# "Solved by caching" under a challenge's name is its solution, not its problem.
SOLVED_REMARK = re.compile(
    r"^(?:solved|fixed|resolved|addressed|overcame|tackled|handled|implemented|used|added|"
    r"created|applied|introduced|integrated|configured|adopted|leveraged|built|wrote|switched|"
    r"moved|refactored|deployed|ensured|adjusted|isolated|balanced|optimi[sz]ed|enabled|"
    r"standardi[sz]ed|containeri[sz]ed|wrapped|debugged|rewrote|migrated|replaced|set up)\b",
    re.IGNORECASE,
)
MILESTONE = re.compile(r"^\W*milestones?\b", re.IGNORECASE)
MONTH_PREFIX = re.compile(r"^\W*month\s*\d+\s*[:\-\u2013\u2014]?\s*", re.IGNORECASE)
# Pictographs and bullets before a title ("🔒 Security first"), not brackets or quotes.
LEADING_MARKS = re.compile(r"^[^\w(\[\"'`]+(?=\w)")
# "1.Slow API responses" in a pasted table row: numbering, not part of the title.
LEADING_NUMBER = re.compile(r"^\d{1,2}[.)]\s*(?=[A-Z])")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
# "(To be added)", "TBD", "Coming soon": a place kept for an entry, not one.
PLACEHOLDER = re.compile(
    r"^\W*(?:to be (?:added|updated|completed|filled|written|continued)\b|tbd\b|tba\b|"
    r"coming soon\b|todo\b|n/a\W*$|lorem ipsum)",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s")
ABBREVIATIONS = frozenset({"vs.", "e.g.", "i.e.", "etc.", "eg.", "ie.", "approx.", "incl.", "cf."})
TITLE_MAX = 120
JOURNAL_KINDS = {"challenges", "practices", "month", "week", "worklog"}
INHERITED_FROM_LEVEL = 2
CONTENT_KINDS = frozenset({"technologies", "concepts", "challenges", "practices"})
MAX_ITEMS_PER_KIND = 60
OVERVIEW_MAX_CHARS = 20_000
MIN_KNOWN_TECHNOLOGIES = 3


def _first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence: "vs." and "e.g." end none."""
    for match in SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(" ", 1)[-1].lower().strip("(")
        if word not in ABBREVIATIONS:
            return text[: match.start()]
    return text


def _short(text: str, limit: int = TITLE_MAX) -> str:
    """A title from text: its first sentence, cut at a word boundary within `limit`."""
    text = LEADING_NUMBER.sub("", LEADING_MARKS.sub("", " ".join(text.split())))
    text = _first_sentence(text).rstrip(" .:")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def _walk(
    section: Section,
    inherited: str,
    title_section: Section | None = None,
    top_level: int = INHERITED_FROM_LEVEL,
) -> Iterator[tuple[Section, str, str]]:
    """(section, effective kind, own kind) for every section; unrecognised ones inherit.

    The document's title (a leading level-1 heading) names the document, not a section kind,
    unless none of the headings under it names one: then it is the document's one section.
    `top_level` is the level of the document's sections: 2, or 1 when it writes them with `#`.
    """
    own = classify_heading(section.title) if section.level else ""
    if (section is title_section or (section.level == 1 and top_level > 1)) and any(
        classify_heading(child.title) for child in section.children
    ):
        # A level-1 heading over recognised sections titles the document ("…Full-Stack
        # Knowledge Base" is no technology list), wherever it stands.
        own = ""
    if own == "concepts" and inherited == "technologies" and section.marked:
        # "### Advanced Frontend Concepts" under the technologies lists more of them.
        own = ""
    if inherited == "other" and not section.marked:
        # "💡 **ProDev Tip!**" in the collaboration footer belongs to the footer (labelling rule:
        # tips inside collaboration do not count); a bold line's level is only a guess.
        own = ""
    if own == "other" and inherited in CONTENT_KINDS:
        # "Collaboration and Version Control" under the learnings is one of them, no footer.
        own = ""
    kind = own or inherited
    yield section, kind, own
    # A title naming a kind ("# Technologies" over "## Backend") is the document's one section.
    passed_on = kind if section.level >= top_level or section is title_section else ""
    if passed_on in ("month", "week", "objective", "overview", "features"):
        passed_on = ""
    for child in section.children:
        yield from _walk(child, passed_on, title_section, top_level)


def _top_level(root: Section, title_section: Section | None) -> int:
    """1 when the document writes its sections as level-1 headings: more than one of them
    besides its title, and at least one naming a kind of section."""
    sections = [s for s in root.children if s.level == 1 and s is not title_section]
    named = any(classify_heading(s.title) for s in sections)
    return 1 if len(sections) > 1 and named else INHERITED_FROM_LEVEL


def _concepts_in(section: Section, nested: bool) -> list[Concept]:
    """Under a concepts heading, a sub-heading is one concept and its bullets explain it; the
    heading's own list items (or "Name: explanation" lines) are one concept each."""
    if nested and section.title:
        lines = [*section.paragraphs, *(item.text for item in section.items)]
        return [Concept(title=_short(section.title, 100), explanation="\n".join(lines))]
    found = [
        Concept(title=_short(item.title or item.text, 100), explanation=item.explanation)
        for item in section.items
    ]
    if not section.items:
        found += [
            Concept(title=_short(line.lead, 100), explanation=line.rest)
            for line in named_lines(section)
        ]
    if not found:
        # "Database Design, Asynchronous Programming, Caching Strategies": one per name.
        found += [
            Concept(title=part.strip())
            for paragraph in section.paragraphs
            if stack.is_list_like(paragraph) and "," in paragraph
            for part in re.split(r"[,;]", paragraph)
            if part.strip()
        ]
    return found


def _label(text: str) -> tuple[str, str]:
    """("problem" | "solution" | "", text without its label)."""
    if lone := LONE_LABEL.match(text):
        return ("problem" if lone.group(1) else "solution"), ""
    if match := PROBLEM_LABEL.match(text):
        return "problem", text[match.end() :].strip()
    if match := SOLUTION_LABEL.match(text):
        return "solution", text[match.end() :].strip()
    return "", text


def _challenge_from_item(item: Item) -> Challenge:
    challenge = Challenge(title=_short(item.title or item.text))
    unlabelled: list[str] = []
    for part in [
        item.rest if item.lead else "",
        *item.paragraphs,
        *(c.text for c in item.children),
    ]:
        label, text = _label(part)
        if label == "problem":
            challenge.problem = text
        elif label == "solution":
            challenge.solution = text
        elif SOLVED_REMARK.match(part) and not challenge.solution:
            challenge.solution = part
        elif part:
            unlabelled.append(part)
    if not challenge.solution and (match := INLINE_SOLUTION.search(item.text)):
        challenge.solution = match.group(1).strip()
    if not challenge.problem:
        challenge.problem = "\n".join(unlabelled) or (item.explanation if not item.lead else "")
    return challenge


def _challenges_from_parts(parts: list[str], title: str = "") -> list[Challenge]:
    """Paragraph-shaped challenges: labelled pairs, else one challenge per paragraph. Under a
    challenge's own heading (`title`) the first part may already be its solution."""
    found: list[Challenge] = [Challenge(title=_short(title))] if title else []
    # After a bare "Solution:" (or "Problem:"), the lines that follow are its text.
    collecting = ""
    # "Challenge 2: Slow pages" names a challenge whose "Problem:" may follow.
    named_only = False
    for part in parts:
        label, text = _label(part)
        if label == "solution" and found:
            found[-1].solution = text
            collecting = "" if text else "solution"
            named_only = False
        elif label == "problem" and not text and found and not found[-1].solution:
            collecting = "problem"
        elif label == "problem":
            problem, solution = _split_inline_solution(text)
            last = found[-1] if found else None
            if last and not last.solution and (named_only or not last.problem):
                last.problem, last.solution = problem, solution
            else:
                found.append(Challenge(title=_short(problem), problem=problem, solution=solution))
            named_only = _names_a_challenge(part) and not solution
            collecting = ""
        elif collecting and found:
            before = getattr(found[-1], collecting)
            setattr(found[-1], collecting, f"{before}\n{text}".strip())
        elif found and not found[-1].solution and label == "" and found[-1].problem == "":
            found[-1].problem = text
        else:
            found.append(Challenge(title=_short(text), problem=text))
    return found


def _names_a_challenge(part: str) -> bool:
    match = PROBLEM_LABEL.match(part)
    return match is not None and match.group(1).lower() == "challenge"


def _split_inline_solution(text: str) -> tuple[str, str]:
    """ "Slow page Solution: added an index" -> ("Slow page", "added an index")."""
    match = INLINE_SOLUTION.search(text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(), match.group(1).strip()


def _labelled_parts(section: Section) -> list[str]:
    """A section's paragraphs, split where a line starts with a label: "**Problem**: slow pages"
    and "**Solution**:" on the next line are two parts, though Markdown joins them (a hard
    break); lines without a label stay with the part they continue."""
    parts: list[str] = []
    for paragraph, lines in zip(section.paragraphs, section.paragraph_lines, strict=True):
        if len(lines) < 2 or not any(_label(line)[0] for line in lines[1:]):
            parts.append(paragraph)
            continue
        group: list[str] = []
        for line in lines:
            if group and _label(line)[0]:
                parts.append(" ".join(group))
                group = []
            group.append(line)
        parts.append(" ".join(group))
    return parts


def _has_labels(section: Section) -> bool:
    texts = [*section.paragraphs, *(item.text for item in section.items)]
    return any(_label(text)[0] for text in texts)


def _table_columns(table: Table, first: str, second: str) -> tuple[int, int] | None:
    header = [cell.lower() for cell in table.header]
    left = next((i for i, cell in enumerate(header) if re.search(first, cell)), None)
    right = next((i for i, cell in enumerate(header) if re.search(second, cell)), None)
    if left is None or right is None or left == right:
        return None
    return left, right


def _groups_challenges(section: Section) -> bool:
    """ "### Technical Challenges" or a heading over "**Slow page**: …" entries groups
    challenges; "### Challenge 2: Slow page" or "### Slow page" over its story is one."""
    if PROBLEM_LABEL.match(section.title):
        return False
    if classify_heading(section.title) == "challenges":
        return True
    named = [item for item in section.items if item.lead and item.rest]
    return len(section.items) >= 2 and len(named) * 2 >= len(section.items)


def _challenge_under_heading(section: Section) -> Challenge:
    """A challenge's own sub-heading: its paragraphs tell the problem, and its solution where
    they say what was done; bullets that say what was done are the solution's steps."""
    title = _label(section.title)[1] or section.title
    problem: list[str] = []
    solution: list[str] = []
    for paragraph in section.paragraphs:
        if SOLVED_REMARK.match(paragraph):
            solution.append(paragraph)
            continue
        told, done = _split_inline_solution(paragraph)
        problem.append(told)
        solution += [done] if done else []
    steps = [item.text for item in section.items]
    if any(SOLVED_REMARK.match(step) for step in steps):
        solution += steps
    else:
        problem += steps
    return Challenge(
        title=_short(title), problem="\n".join(problem).strip(), solution="\n".join(solution)
    )


def _challenges_in(section: Section, *, nested: bool) -> list[Challenge]:
    """Challenges of one section; a nested section with Problem/Solution labels is one challenge."""
    found: list[Challenge] = []
    if nested and _has_labels(section) and not section.children and section.title:
        parts = [*_labelled_parts(section), *(item.text for item in section.items)]
        title = _label(section.title)[1] or section.title
        pairs = _challenges_from_parts(parts, title=title)
        if len(pairs) > 1 and not pairs[0].problem and not pairs[0].solution:
            pairs = pairs[1:]  # the heading only grouped challenges of its own
        if len(pairs) == 1:
            pairs[0].title = _short(title)
        return pairs
    if nested and not section.children and section.title and not _groups_challenges(section):
        return [_challenge_under_heading(section)]
    pending: Challenge | None = None
    for item in section.items:
        label, text = _label(item.text)
        if label == "problem":
            text, inline_solution = _split_inline_solution(text)
            previous = found[-1] if found and pending is None else None
            if previous is not None and not previous.problem and not previous.solution:
                # "1) **Slow list**" then "- What I saw: ...": the problem of the named challenge.
                pending, pending.problem = previous, text
            else:
                pending = Challenge(title=_short(text), problem=text)
                found.append(pending)
            pending.solution = pending.solution or inline_solution
            for child in item.children:
                child_label, child_text = _label(child.text)
                if child_label == "solution":
                    pending.solution = child_text
        elif label == "solution" and pending is not None:
            pending.solution = text
        else:
            pending = None
            found.append(_challenge_from_item(item))
    for table in section.tables:
        columns = _table_columns(table, r"challeng|problem|issue|bug", r"solution|fix|resol|how")
        if columns:
            left, right = columns
            for row in table.rows:
                if len(row) > max(left, right) and row[left]:
                    found.append(Challenge(title=_short(row[left]), solution=row[right]))
    if not section.items and not section.tables and not section.children:
        found += _challenges_from_parts(section.paragraphs)
    elif _has_labels(section):
        found += [c for c in _challenges_from_parts(section.paragraphs) if c.solution]
    return found


def _practices_in(section: Section, kind: str) -> list[Practice]:
    found = [
        Practice(title=_short(item.title or item.text), explanation=item.explanation, kind=kind)
        for item in section.items
        if (item.title or item.text)
    ]
    for table in section.tables:
        for row in table.rows:
            if row and row[0]:
                explanation = " ".join(row[1:]).strip()
                found.append(Practice(title=_short(row[0]), explanation=explanation, kind=kind))
    if not section.items and not section.tables and not section.children:
        for paragraph, lines in zip(section.paragraphs, section.paragraph_lines, strict=True):
            # Lines of their own ("✅ Cache wisely" under "✅ Test early") are one practice each.
            for text in _statements(lines) if len(lines) > 1 else [paragraph]:
                found.append(Practice(title=_short(text), explanation=text, kind=kind))
    return found


def _statements(lines: list[str]) -> list[str]:
    """A paragraph's lines as statements: a line that starts in lower case continues the one
    before (prose wrapped by hand), any other starts a statement of its own."""
    statements: list[str] = []
    for line in lines:
        if statements and line[:1].islower():
            statements[-1] = f"{statements[-1]} {line}"
        else:
            statements.append(line)
    return statements


def _month(section: Section, number: int) -> MonthLog:
    log = MonthLog(
        number=number,
        title=MONTH_PREFIX.sub("", section.title).strip() or section.title,
        start_line=section.start_line,
        end_line=section.end_line,
    )
    for item in section.items:
        if MILESTONE.match(item.text):
            log.milestones.append(item.text.strip())
        else:
            log.entries.append(item.text.strip())
    for child in section.children:
        for item in child.items:
            log.entries.append(item.text.strip())
    return log


def _overview(lines: list[str], sections: list[Section]) -> str:
    chunks = ["\n".join(lines[s.start_line : s.end_line]).strip() for s in sections]
    return "\n\n".join(chunk for chunk in chunks if chunk)[:OVERVIEW_MAX_CHARS]


def _title(root: Section, front_matter: dict[str, object], path: str) -> str:
    if isinstance(front_matter.get("title"), str) and str(front_matter["title"]).strip():
        return str(front_matter["title"]).strip()[:200]
    for section in root.walk()[1:]:
        if section.level == 1 and section.title:
            return section.title[:200]
    for section in root.walk()[1:]:
        if section.title:
            return section.title[:200]
    stem = PurePosixPath(path).stem if path else "Imported document"
    return stem.replace("-", " ").replace("_", " ").strip()[:200] or "Imported document"


def parse_document(data: bytes, *, path: str = "") -> ParsedDocument:
    """Parse one Markdown file; raises BinaryContentError for binary input, nothing else."""
    clean = clean_markdown(data)
    root = parse_sections(clean.text)
    document = ParsedDocument(
        title=_title(root, clean.front_matter, path),
        body=clean.text,
        front_matter=clean.front_matter,
        repairs=clean.repairs,
    )
    first = root.children[0] if root.children else None
    title_section = first if first is not None and first.level == 1 else None
    walked = list(_walk(root, "", title_section, _top_level(root, title_section)))
    own_kinds = {own for _section, _kind, own in walked if own}
    document.sections = [(s.title, kind) for s, kind, _own in walked if s.level and s.title]
    document.is_journal = (
        bool(own_kinds & JOURNAL_KINDS) or {"technologies", "concepts"} <= own_kinds
    )

    nested = {
        id(child)
        for section, kind, _own in walked
        if kind == "challenges"
        for child in section.children
    }
    groups: dict[str, TechnologyGroup] = {}
    months: dict[int, MonthLog] = {}
    weeks: dict[int, MonthLog] = {}
    overview_sections: list[Section] = []
    kind_of = {id(section): kind for section, kind, _own in walked}
    parent_kind = {
        id(child): kind_of[id(section)]
        for section, _kind, _own in walked
        for child in section.children
    }
    category_of: dict[int, str] = {}
    parent_of = {id(child): section for section, _k, _o in walked for child in section.children}
    for section, kind, own in walked:
        if kind == "technologies":
            # The top technologies section is a flat list; a sub-section is the author's group.
            parent = parent_of.get(id(section))
            inherited = category_of.get(id(parent), "") if parent else ""
            if parent_kind.get(id(section)) == "technologies":
                category_of[id(section)] = stack.from_sub_section(section, groups, inherited)
            else:
                category_of[id(section)] = inherited
                stack.from_section(section, groups, inherited)
        elif kind == "concepts":
            explains_one = not own and parent_kind.get(id(section)) == "concepts"
            document.concepts += _concepts_in(section, explains_one)
        elif kind == "challenges" and document.is_journal:
            document.challenges += _challenges_in(section, nested=id(section) in nested)
        elif kind == "practices" and document.is_journal:
            heading = section.title if own else _nearest_own_title(walked, section)
            document.practices += _practices_in(section, practice_kind(heading))
        elif kind == "month" and (number := month_number(section.title)) is not None:
            months.setdefault(number, _month(section, number))
        elif kind == "week" and (match := WEEK.search(section.title)):
            weeks.setdefault(int(match.group(1)), _month(section, int(match.group(1))))
        elif kind == "worklog":
            for item in section.items:
                # "**Week 1-2:** Environment setup": a period written as one bullet.
                found = MONTH.search(item.lead) or WEEK.search(item.lead)
                logs = months if found and found.re is MONTH else weeks
                if found and item.lead:
                    title = item.rest or item.lead
                    log = MonthLog(int(found.group(1)), title)
                    log.start_line, log.end_line = item.start_line, item.end_line
                    logs.setdefault(log.number, log)
        elif own in ("objective", "features", "overview") and section.level >= 2:
            overview_sections.append(section)
    known_found = sum(1 for g in groups.values() for name in g.names if name in tech.KNOWN)
    if known_found < MIN_KNOWN_TECHNOLOGIES:
        # No real technology list: fall back to the technologies the learnings mention.
        prose = [
            " ".join([*s.paragraphs, *(i.text for i in s.items)])
            for s, kind, _own in walked
            if kind in ("concepts", "") and s.level
        ]
        stack.add(groups, "", tech.scan("\n".join(prose)))
    document.technology_groups = [group for group in groups.values() if group.names]
    document.concepts = _dedupe(document.concepts)[:MAX_ITEMS_PER_KIND]
    document.challenges = _dedupe(document.challenges)[:MAX_ITEMS_PER_KIND]
    document.practices = _dedupe(document.practices)[:MAX_ITEMS_PER_KIND]
    document.months = [months[number] for number in sorted(months)]
    document.weeks = [weeks[number] for number in sorted(weeks)]
    document.overview = _overview(clean.text.split("\n"), overview_sections)
    return document


def _nearest_own_title(walked: list[tuple[Section, str, str]], target: Section) -> str:
    """The title of the closest section above `target` that named its kind itself."""
    title = ""
    for section, _kind, own in walked:
        if own == "practices":
            title = section.title
        if section is target:
            break
    return title


def _dedupe[T: (Concept, Challenge, Practice)](entries: list[T]) -> list[T]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = entry.title.lower()
        # A title with no letter or digit ("}", ");") is a stray line of code, not an entry.
        if key and key not in seen and not PLACEHOLDER.match(key) and LETTER_OR_DIGIT.search(key):
            seen.add(key)
            unique.append(entry)
    return unique
