"""Report HTML -> tagged PDF with WeasyPrint.

The PDF is made from the report's ``"pdf"`` HTML (``render.html(data, medium="pdf")``): A4 pages
with page numbers ("Page 3 of 12") and the report's title in the footer (``print.css``), a
bookmark for each heading, the charts as vector graphics from their inline SVG, and PDF/UA-1
tagging so screen readers can follow headings, tables and the reading order. The document's
dates come from the report's produced or publication date (the HTML's ``dcterms`` metadata),
so the same data gives the same PDF.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

BASE_URL = Path(__file__).resolve().parent / "static" / "reports"
FONTS = FontConfiguration()  # found once per process, not once per report


def html_to_pdf(html: str) -> bytes:
    """Render the report's PDF HTML as tagged PDF bytes."""
    document = HTML(string=html, base_url=str(BASE_URL)).render(font_config=FONTS)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True,
                              pdf_identifier=identifier)
