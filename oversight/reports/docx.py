"""Report HTML -> an editable Word document with python-docx.

The Word file is made from the same HTML as the PDF (``render.html(data, medium="pdf")``), so
the two cannot say different things. The HTML is read into a small tree and written out as real
Word structure a clerk can edit: the report title in the Title style and section headings as
Heading 1 to 3 (so Word's navigation pane and contents work), paragraphs, lists, tables with a
repeating header row, summary lists as two-column tables, and each chart as a PNG picture with
its title and description as alternative text. A footer carries "Page X of Y".

The file's dates are the report's produced (or publication) date and its zip entries carry a
fixed time, so the same report gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from oversight.reports.render import Charts

VOID = {"meta", "link", "br", "img", "hr", "input", "source", "col", "wbr"}
SKIP = {"head", "style", "script", "title", "summary"}
HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
INLINE = {"a", "strong", "b", "em", "i", "span", "code", "abbr", "small", "svg", "br"}
FONT = "Arial"
GREY = RGBColor(0x50, 0x5A, 0x5F)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHART_WIDTH = Cm(16)
# Tables up to this many rows are kept on one page (each row kept with the next); longer ones
# break between rows, never inside one, with the header row repeated.
KEEP_TOGETHER_ROWS = 16
# Blocks whose paragraphs are kept with what follows: a chart with its heading and words, a
# heading with its table.
KEEP_BLOCKS = {"app-chart-block", "app-keep"}
# Inline text printed small and plain (not bold, even in a table's row header).
SMALL = {"app-figure-period"}


@dataclass
class Node:
    """An HTML element: its tag, attributes and children (nodes and text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_all(self, tag: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """Read HTML into a tree of ``Node``."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class WordWriter:
    """Walks the report's HTML tree and writes the Word document."""

    def __init__(self, charts: Charts) -> None:
        self.charts = charts
        self.document = Document()
        self._break_next = False
        self._made: list[Any] = []  # every body paragraph written so far, in order
        self._styles()

    def _styles(self) -> None:
        styles = self.document.styles
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(11)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "en-GB")
        normal.element.get_or_add_rPr().append(lang)
        normal.paragraph_format.space_after = Pt(6)
        for name, size in (("Title", 26), ("Heading 1", 18), ("Heading 2", 14),
                           ("Heading 3", 12)):
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:asciiTheme"), "")
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))

    # --- blocks ---------------------------------------------------------------------------

    def block(self, node: Node) -> None:
        """Write a block element and everything inside it."""
        if node.tag in SKIP or "govuk-skip-link" in node.classes:
            return
        if "app-break-before" in node.classes:
            self._break_next = True
        if node.tag in HEADING_STYLES:
            paragraph = self.document.add_paragraph(style=HEADING_STYLES[node.tag])
            self._inline(paragraph, node)
            self._finish(paragraph)
        elif node.tag == "p":
            paragraph = self.document.add_paragraph()
            self._inline(paragraph, node)
            self._style_paragraph(paragraph, node)
            self._finish(paragraph)
        elif node.tag in ("ul", "ol"):
            self._list(node)
        elif node.tag == "table":
            self._table(node)
        elif node.tag == "dl":
            self._summary_list(node)
        elif node.tag == "figure":
            self._figure(node)
        elif node.tag == "svg":
            self._chart(node)
        elif node.classes & KEEP_BLOCKS:
            start = len(self._made)
            self._container(node)
            for paragraph in self._made[start:]:
                paragraph.paragraph_format.keep_with_next = True
        else:
            self._container(node)

    def _container(self, node: Node) -> None:
        loose: list[Node | str] = []
        for child in node.children:
            if isinstance(child, str) or child.tag in INLINE:
                loose.append(child)
                continue
            self._loose(loose)
            self.block(child)
        self._loose(loose)

    def _loose(self, loose: list[Node | str]) -> None:
        """Text and inline elements directly inside a container become a paragraph."""
        if any(_squash(c if isinstance(c, str) else c.text()).strip() for c in loose):
            paragraph = self.document.add_paragraph()
            self._inline(paragraph, Node("p", children=list(loose)))
            self._finish(paragraph)
        loose.clear()

    def _finish(self, paragraph: Any) -> None:
        self._made.append(paragraph)
        if self._break_next:
            paragraph.paragraph_format.page_break_before = True
            self._break_next = False
        self._trim(paragraph)

    @staticmethod
    def _trim(paragraph: Any) -> None:
        """Strip the paragraph's leading and trailing spaces (runs holding text only)."""
        runs = [run for run in paragraph.runs if run.text]
        if runs and runs[0].text != runs[0].text.lstrip():
            runs[0].text = runs[0].text.lstrip()
        if runs and runs[-1].text != runs[-1].text.rstrip():
            runs[-1].text = runs[-1].text.rstrip()

    def _style_paragraph(self, paragraph: Any, node: Node) -> None:
        classes = node.classes
        if "govuk-body-l" in classes:
            for run in paragraph.runs:
                run.font.size = Pt(14)
        elif "govuk-caption-l" in classes:
            for run in paragraph.runs:
                run.font.size = Pt(13)
                run.font.color.rgb = GREY
        elif "govuk-body-s" in classes:
            for run in paragraph.runs:
                run.font.size = Pt(9)
        if classes & {"govuk-inset-text", "app-missing"}:
            paragraph.paragraph_format.left_indent = Cm(0.5)

    def _list(self, node: Node) -> None:
        numbered = node.tag == "ol"
        items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
        for number, item in enumerate(items, 1):
            if numbered:
                paragraph = self.document.add_paragraph()
                paragraph.paragraph_format.left_indent = Cm(0.75)
                paragraph.paragraph_format.first_line_indent = Cm(-0.75)
                paragraph.add_run(f"{number}.\t")
            elif "govuk-list--bullet" in node.classes:
                paragraph = self.document.add_paragraph(style="List Bullet")
            else:
                paragraph = self.document.add_paragraph()
            self._inline(paragraph, item)
            self._finish(paragraph)

    def _caption(self, text: str) -> None:
        paragraph = self.document.add_paragraph(style="Caption")
        run = paragraph.add_run(_squash(text).strip())
        run.bold = True
        run.font.size = Pt(10)
        run.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        paragraph.paragraph_format.keep_with_next = True
        self._finish(paragraph)

    def _table(self, node: Node) -> None:
        caption = next((c for c in node.children if isinstance(c, Node) and c.tag == "caption"),
                       None)
        if caption is not None:
            self._caption(caption.text())
        rows = node.find_all("tr")
        header_rows = sum(1 for part in node.find_all("thead") for _ in part.find_all("tr"))
        if not rows:
            return
        columns = max(len([c for c in r.children if isinstance(c, Node)
                           and c.tag in ("th", "td")]) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for r, (row, tr) in enumerate(zip(rows, table._tbl.tr_lst, strict=True)):
            cells = [c for c in row.children if isinstance(c, Node) and c.tag in ("th", "td")]
            word_cells = [_Cell(tc, table) for tc in tr.tc_lst]
            for c, cell in enumerate(cells):
                paragraph = word_cells[c].paragraphs[0]
                self._inline(paragraph, cell, bold=cell.tag == "th")
                self._trim(paragraph)
                if classes_numeric(cell):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if r < header_rows:
                _repeat_header(tr)
        _rows_stay_whole(table)
        self.document.add_paragraph().paragraph_format.space_after = Pt(2)

    def _summary_list(self, node: Node) -> None:
        rows = [r for r in node.children if isinstance(r, Node) and "govuk-summary-list__row"
                in r.classes]
        if not rows:
            return
        table = self.document.add_table(rows=len(rows), cols=2)
        table.style = "Table Grid"
        for row, tr in zip(rows, table._tbl.tr_lst, strict=True):
            key = next(c for c in row.children if isinstance(c, Node) and c.tag == "dt")
            value = next(c for c in row.children if isinstance(c, Node) and c.tag == "dd")
            left, right = (_Cell(tc, table) for tc in tr.tc_lst)
            left.width, right.width = Cm(4.5), Cm(12.5)
            self._inline(left.paragraphs[0], key, bold=True)
            self._inline(right.paragraphs[0], value)
            self._trim(left.paragraphs[0])
            self._trim(right.paragraphs[0])
        _rows_stay_whole(table)
        self.document.add_paragraph().paragraph_format.space_after = Pt(2)

    def _figure(self, node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag == "figcaption":
                self._caption(child.text())
            else:
                start = len(self._made)
                self.block(child)
                for paragraph in self._made[start:]:  # the words stay with their chart
                    paragraph.paragraph_format.keep_with_next = True

    def _chart(self, node: Node) -> None:
        """A chart's SVG becomes its PNG, with the SVG's title and description as alt text."""
        if node.attrs.get("aria-hidden") == "true":
            return
        titles = node.find_all("title")
        chart_id = titles[0].attrs.get("id", "").removesuffix("-title") if titles else ""
        if self.charts.get(chart_id) is None:
            return
        title = _squash(titles[0].text()).strip()
        descs = node.find_all("desc")
        description = _squash(descs[0].text()).strip() if descs else title
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(io.BytesIO(self.charts.png(chart_id)),
                                                width=CHART_WIDTH)
        doc_pr = shape._inline.docPr
        doc_pr.set("title", title)
        doc_pr.set("descr", f"{title}. {description}")
        self._finish(paragraph)

    # --- inline ---------------------------------------------------------------------------

    def _inline(self, paragraph: Any, node: Node, *, bold: bool = False,
                italic: bool = False, small: bool = False) -> None:
        for child in node.children:
            if isinstance(child, str):
                text = _squash(child)
                if text:
                    run = paragraph.add_run(text)
                    run.bold = bold or None
                    run.italic = italic or None
                    if small:
                        run.font.size = Pt(9)
                        run.font.color.rgb = GREY
                continue
            if child.tag in SKIP or child.tag == "svg":
                continue
            if child.tag == "br":
                paragraph.add_run().add_break()
            elif SMALL & child.classes:
                # The period of a figure under a measure's name: plain, small and grey, as on
                # paper, so it does not read as part of the name.
                self._inline(paragraph, child, bold=False, italic=italic, small=True)
            elif child.tag in ("strong", "b") or "govuk-tag" in child.classes:
                self._inline(paragraph, child, bold=True, italic=italic, small=small)
            elif child.tag in ("em", "i"):
                self._inline(paragraph, child, bold=bold, italic=True, small=small)
            elif child.tag in ("p", "div") and paragraph.runs:
                paragraph.add_run().add_break()
                self._inline(paragraph, child, bold=bold, italic=italic, small=small)
            else:
                self._inline(paragraph, child, bold=bold, italic=italic, small=small)

    # --- the whole document ---------------------------------------------------------------

    def footer(self, title: str) -> None:
        paragraph = self.document.sections[0].footer.paragraphs[0]
        run = paragraph.add_run(f"{title}\tPage ")
        run.font.size = Pt(8)
        _field(paragraph, "PAGE")
        paragraph.add_run(" of ").font.size = Pt(8)
        _field(paragraph, "NUMPAGES")

    def properties(self, title: str, subject: str, author: str, produced: dt.date) -> None:
        props = self.document.core_properties
        stamp = dt.datetime(produced.year, produced.month, produced.day)
        props.title, props.subject, props.author = title, subject, author
        props.last_modified_by, props.revision = author, 1
        props.created = props.modified = stamp
        props.last_printed = stamp
        props.language = "en-GB"
        props.keywords = "Police and Crime Panel"
        props.comments = ""


def classes_numeric(cell: Node) -> bool:
    return any(c.endswith("--numeric") for c in cell.classes)


def _rows_stay_whole(table: Any) -> None:
    """No row splits across pages; a short table is kept on one page."""
    rows = table._tbl.tr_lst
    for index, tr in enumerate(rows):
        properties = tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        properties.insert(0, cant_split)
        if len(rows) <= KEEP_TOGETHER_ROWS and index < len(rows) - 1:
            for tc in tr.tc_lst:
                for p in tc.p_lst:
                    p.get_or_add_pPr().get_or_add_keepNext()


def _repeat_header(tr: Any) -> None:
    """Mark a table row as a header row Word repeats at the top of each page."""
    properties = tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _field(paragraph: Any, code: str) -> None:
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_element.append(run)
    paragraph._p.append(field_element)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry stamped at one fixed time, so bytes repeat."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def html_to_docx(html: str, charts: Charts, data: dict[str, Any]) -> bytes:
    """Write the report's PDF HTML as a Word document and return its bytes."""
    tree = parse(html)
    main = next((n for n in tree.find_all("main")), tree)
    writer = WordWriter(charts)
    writer.block(main)
    writer.footer(data["title"])
    writer.properties(data["title"], data.get("subtitle", ""),
                      f"Office of the Police and Crime Commissioner ({data['plan']['force_name']})",
                      dt.date.fromisoformat(data["produced"]))
    buffer = io.BytesIO()
    writer.document.save(buffer)
    return _fixed_zip(buffer.getvalue())
