"""Reading the report files back: PDF text and bookmarks (pypdf), Word headings, tables and
pictures (python-docx), and the page check every HTML page must pass."""

from __future__ import annotations

import io
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


@lru_cache(maxsize=16)
def pdf_text(content: bytes) -> str:
    """All the PDF's text, page by page (kept, as pypdf takes a while)."""
    return "\n".join(page.extract_text() or "" for page in pdf_reader(content).pages)


def pdf_bookmarks(content: bytes) -> list[str]:
    """Every bookmark title, depth first."""
    reader = pdf_reader(content)
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def word(content: bytes) -> Any:
    return Document(io.BytesIO(content))


def word_blocks(document: Any) -> list[Paragraph | Table]:
    """The body's paragraphs and tables in document order."""
    blocks: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            blocks.append(Paragraph(child, document))
        elif child.tag.endswith("}tbl"):
            blocks.append(Table(child, document))
    return blocks


def word_headings(document: Any) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style.name == "Title" or p.style.name.startswith("Heading")]


def word_table_after(document: Any, caption: str) -> list[list[str]]:
    """The rows of the first table after the paragraph whose text is ``caption``."""
    blocks = word_blocks(document)
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph) and block.text.strip() == caption:
            table = next(b for b in blocks[index + 1:] if isinstance(b, Table))
            return [[cell.text for cell in row.cells] for row in table.rows]
    raise AssertionError(f"no caption {caption!r}")


@lru_cache(maxsize=16)
def word_text(content: bytes) -> str:
    document = word(content)
    parts = []
    for block in word_blocks(document):
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            parts.extend(" | ".join(c.text for c in row.cells) for row in block.rows)
    return "\n".join(parts)


class _PageCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.ids: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag in ("h1", "title") and self._in is None:
            self._in = tag
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1[-1] += data
        elif self._in == "title":
            self.title += data


def check_page(html: str) -> _PageCheck:
    """One h1, a <title> that starts with it (after "Error: " on a form with errors), unique
    ids (the GOV.UK Notify page check)."""
    parsed = _PageCheck()
    parsed.feed(html)
    assert len(parsed.h1) == 1, parsed.h1
    title = parsed.title.strip().removeprefix("Error: ")  # a page with errors says so first
    assert title.startswith(parsed.h1[0].strip()), (parsed.title, parsed.h1)
    duplicates = {i for i in parsed.ids if parsed.ids.count(i) > 1}
    assert not duplicates, duplicates
    return parsed
