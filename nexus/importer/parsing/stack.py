"""What a technologies section lists: names, grouped only where the author grouped them.

A flat list has no categories; the author's own groupings are: a sub-heading over several names,
a bold or "Name:" lead over a list of names, a category column of a table.
"""

import re

from nexus.importer.parsing import technologies as tech
from nexus.importer.parsing.model import TechnologyGroup
from nexus.importer.parsing.structure import Item, Section, Table, clean_title, named_lines

Groups = dict[str, TechnologyGroup]
NOTE = re.compile(r"\s*\([^)]*\)")
# A table column that groups ("Category", "Layer") and one that names ("Tools", "Technology").
GROUP_COLUMN = re.compile(r"categor|area|layer|domain|group|type|kind|field")
NAMES_COLUMN = re.compile(r"tool|tech|stack|name|framework|librar|language|service|used")
# What follows a bold lead that only continues a list of names ("**Django** & DRF").
CONTINUED_LIST = re.compile(r"^\s*(?:&|\+|and\b|,|/)\s*")
# A heading that is a technology groups its bullets when they name this many others.
GROUPED_OTHERS = 2


def is_list_like(text: str) -> bool:
    """ "Python, Django (ORM)" is a list of names; "Used for caching." is a sentence."""
    text = NOTE.sub("", text).strip()
    if not text or text.endswith("."):
        return False
    return all(len(part.split()) <= 4 for part in re.split(r",|;", text))


def add(groups: Groups, category: str, names: list[str]) -> None:
    """Names under the author's own category; "" when the author grouped nothing (a flat list)."""
    category = clean_title(category)
    group = groups.setdefault(category.lower(), TechnologyGroup(category=category))
    for name in names:
        if name not in group.names:
            group.names.append(name)


def names_a_technology(title: str) -> list[str]:
    """The technologies a heading names when it is nothing but them ("Docker & Kubernetes")."""
    whole = tech.canonical(NOTE.sub("", title))
    if whole:
        return [whole]
    names = tech.names_in_item(title)
    return names if names and all(name in tech.KNOWN for name in names) else []


def _names_itself(lead: str, names: list[str]) -> bool:
    """ "**Docker**: Docker Compose" leads with the name; "**Containerization**: Docker" with
    a word that only stands for it."""
    written = NOTE.sub("", clean_title(lead)).strip().lower()
    return any(written == name.lower() for name in names)


def _item_names(item: Item) -> list[str]:
    return tech.names_in_item(item.text, emphasised=item.emphasised)


def _from_item(item: Item, groups: Groups, category: str) -> None:
    if item.lead and CONTINUED_LIST.match(item.rest):
        # "**Django** & Django REST Framework (DRF)": the bold name is the first of the list.
        add(
            groups,
            category,
            tech.names_in_item(f"{item.lead}, {CONTINUED_LIST.sub('', item.rest)}"),
        )
        return
    if item.lead and is_list_like(item.rest):
        names = tech.names_in_item(item.rest.replace(" and ", ", "))
        lead_names = names_a_technology(item.lead)
        others = [name for name in names if name not in lead_names]
        # "**Containerization:** Docker": a lead that is only another word for the name after
        # it names the author's group, like "**Databases:** PostgreSQL".
        lead_is_a_word_for = bool(names) and not others and not _names_itself(item.lead, names)
        if lead_is_a_word_for or (
            others and (not lead_names or any(name in tech.KNOWN for name in others))
        ):
            # "**Databases:** PostgreSQL, MySQL", "**CI/CD:** GitHub Actions": the lead is the
            # author's grouping of the names after it. Groups do not nest: under the author's
            # sub-heading ("### Backend Essentials") such a lead is one of its topics.
            add(groups, category or item.lead, [*lead_names, *names] if category else names)
            return
        if not names and not lead_names:
            return  # "**System Design:** scalable architectures": a topic, not a tool
    if item.children and not tech.canonical(item.title) and not item.rest:
        named = tech.scan(item.title)
        children = [_item_names(child) for child in item.children]
        if named:
            # "React & State Management" names technologies; its sub-items explain them.
            add(groups, category, named)
            return
        if all(names and all(n in tech.KNOWN for n in names) for names in children):
            add(groups, item.title, [name for names in children for name in names])
            return
    add(groups, category, _item_names(item))


def _column(header: list[str], pattern: re.Pattern[str], other: int | None) -> int | None:
    return next(
        (i for i, cell in enumerate(header) if i != other and pattern.search(cell.lower())), None
    )


def _from_table(table: Table, groups: Groups, category: str) -> None:
    """A table's names column (the first, unless a header says otherwise), grouped by its
    category column when it has one ("Layer | Tools")."""
    group_column = _column(table.header, GROUP_COLUMN, None)
    names_column = _column(table.header, NAMES_COLUMN, group_column)
    if group_column is None and names_column is None and len(table.header) > 1:
        first = [tech.names_in_item(row[0]) for row in table.rows if row]
        second = [tech.names_in_item(row[1]) for row in table.rows if len(row) > 1]
        if not any(n in tech.KNOWN for names in first for n in names) and any(
            n in tech.KNOWN for names in second for n in names
        ):
            group_column, names_column = 0, 1  # "Backend | Django, DRF": a grouping first
    names_column = names_column if names_column is not None else 0
    for row in table.rows:
        if len(row) <= names_column:
            continue
        names = tech.names_in_item(row[names_column])
        group = row[group_column] if group_column is not None and len(row) > group_column else ""
        add(groups, group or category, names)


def from_section(section: Section, groups: Groups, category: str) -> None:
    """The names one section lists, under `category` unless the author grouped them further."""
    lines = named_lines(section)
    for item in [*section.items, *lines]:
        _from_item(item, groups, category)
    for table in section.tables:
        _from_table(table, groups, category)
    if not section.items and not section.tables and not lines:
        add(groups, category, tech.scan(" ".join(section.paragraphs)))


def _title_names(item: Item) -> list[str]:
    """The names an item is ("**Jenkins**: an automation server"), not the ones it mentions."""
    return tech.names_only(item.lead or item.title)


def from_sub_section(section: Section, groups: Groups, inherited: str) -> str:
    """A section under a technologies heading is the author's group of what it lists, unless its
    heading is a technology its bullets explain ("Docker & Kubernetes" over "containers for every
    service"); a technology heading over items that are other names ("CI/CD" over Jenkins and
    GitHub Actions) is a group after all. Returns the category its sub-sections inherit."""
    named = names_a_technology(section.title)
    if not named:
        from_section(section, groups, section.title)
        return section.title
    own_family = tuple(f"{name} " for name in named)

    def other_names(item: Item) -> list[str]:
        return [
            name
            for name in _title_names(item)
            if name not in named and not name.startswith(own_family)
        ]

    titled = [name for item in section.items for name in _title_names(item)]
    others = {name for item in section.items for name in other_names(item)}
    # Bullets that are other tools ("Jenkins", "**GitHub Actions**: the tests") are a group;
    # a few names among bullets about the heading's own tool ("Django ORM for queries",
    # "Authentication and authorization", "Middleware") are topics it covers.
    naming = sum(1 for item in section.items if other_names(item))
    if len(others) >= GROUPED_OTHERS and naming * 2 > len(section.items):
        add(groups, section.title, [*named, *titled])
        return section.title
    add(groups, inherited, named)
    return inherited
