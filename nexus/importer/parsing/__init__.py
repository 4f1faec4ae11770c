"""Extraction: Markdown bytes in, a structured `ParsedDocument` out; no database involved."""

from nexus.importer.parsing.extract import parse_document
from nexus.importer.parsing.model import (
    Challenge,
    Concept,
    MonthLog,
    ParsedDocument,
    Practice,
    TechnologyGroup,
)
from nexus.importer.parsing.text import BinaryContentError, decode_text

__all__ = [
    "BinaryContentError",
    "Challenge",
    "Concept",
    "MonthLog",
    "ParsedDocument",
    "Practice",
    "TechnologyGroup",
    "decode_text",
    "parse_document",
]
