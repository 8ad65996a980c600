"""Panel reports on real data: the three formats say what the database says, the same data gives
the same files, commentary shows only when approved, and published reports stay frozen."""

from __future__ import annotations

import copy
import csv
import gzip
import hashlib
import io
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db.models import Sum
from django.utils import timezone
from typer.testing import CliRunner

from oversight.cli.common import UserError
from oversight.cli.main import app
from oversight.cli.report import parse_formats
from oversight.commentary import services as commentary
from oversight.data.models import ImportBatch, StreetCount
from oversight.methods import periods
from oversight.reports import render, sections, services
from oversight.reports.figures import ReportError, exception_for, parse_quarter
from oversight.reports.models import PublishedReport
from tests.demo_state import DEMO_DATA
from tests.reports.conftest import PRODUCED
from tests.reports.helpers import (
    check_page,
    pdf_bookmarks,
    pdf_reader,
    pdf_text,
    word,
    word_headings,
    word_table_after,
    word_text,
)

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
VEHICLE = "MCNS-VEHICLE-CRIME"
SECTIONS = ["Summary", "Exceptions", "Theme 4: Making Communities and Neighbourhoods Safer",
            "Technical annex", "Data and attribution"]


def stored_quarter(plan, code=VEHICLE):
    return plan.measures.get(code=code).result.figures["quarter"]


def chart_count(data) -> int:
    """The SPC and peer charts the report data has: one each where the measure has them."""
    return sum(bool(m["available"] and m["spc"].get("available")) + bool(m["peers"])
               for t in data["themes"] for m in t["measures"])


def street_count(plan, crime_type: str, months: list[str]) -> int:
    """The count straight from the stored street-level rows, for the force's current files."""
    return StreetCount.objects.filter(
        force=plan.force, month__in=months, crime_type=crime_type,
        batch__status=ImportBatch.Status.CURRENT,
    ).aggregate(n=Sum("rows"))["n"]


# --- the three formats against the database ---------------------------------------------


def test_figures_for_a_named_measure_match_the_database(report_plan, quarterly_files):
    data, files = quarterly_files
    quarter = stored_quarter(report_plan)
    assert quarter["label"] == data["period"]["label"] == "2025/26 Q1"
    assert quarter["count"] == street_count(report_plan, "Vehicle crime",
                                            periods.months_of_quarter("2025/26 Q1"))
    count, rate = f"{quarter['count']:,}", f"{quarter['rate']:.2f}"
    result = report_plan.measures.get(code=VEHICLE).result

    html = files["html"].decode()
    check_page(html)
    assert f'id="measure-{VEHICLE.lower()}"' in html
    assert count in html and rate in html and result.grade_reason in html

    text = pdf_text(files["pdf"])
    assert "Vehicle crime" in text and count in text and rate in text
    assert result.grade in text

    document = word(files["docx"])
    rows = word_table_after(document, "Vehicle crime: figures for April to June 2025")
    assert rows[0] == ["Period", "Count", "Rate per 1,000 people"]
    assert rows[1] == ["April to June 2025", count, rate]


def test_pdf_has_headings_bookmarks_page_numbers_and_tags(quarterly_files):
    data, files = quarterly_files
    reader = pdf_reader(files["pdf"])
    text = pdf_text(files["pdf"])
    for heading in SECTIONS:
        assert heading in text
    bookmarks = pdf_bookmarks(files["pdf"])
    assert data["title"] in bookmarks
    for heading in [*SECTIONS, "Vehicle crime", "Target and grade"]:
        assert heading in bookmarks, heading
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged PDF
    assert reader.metadata.title.startswith(data["title"])


def test_word_has_real_headings_tables_and_charts_with_alt_text(quarterly_files):
    data, files = quarterly_files
    document = word(files["docx"])
    headings = word_headings(document)
    assert headings[0] == ("Title", data["title"])
    level_1 = [text for style, text in headings if style == "Heading 1"]
    assert [h for h in SECTIONS if h in level_1] == SECTIONS
    measures = [m["name"] for t in data["themes"] for m in t["measures"]]
    assert [t for s, t in headings if s == "Heading 2" and t in measures] == measures
    summary = word_table_after(document, "Headline figures for April to June 2025")
    assert summary[0][:3] == ["Measure", "Count", "Rate per 1,000"]
    assert len(summary) == len(measures) + 1
    pictures = document.inline_shapes
    assert len(pictures) == chart_count(data) >= 4
    # The ONS measure has neither: no SPC chart of 12-month totals, no peer figures.
    for picture in pictures:
        description = picture._inline.docPr.get("descr")
        assert description and len(description) > 40
    assert document.core_properties.created.date().isoformat() == PRODUCED


def test_html_is_a_self_contained_accessible_page(quarterly_files):
    data, files = quarterly_files
    html = files["html"].decode()
    check_page(html)
    assert '<html lang="en-GB"' in html and "@media print" in html
    assert "<script" not in html and 'href="/static' not in html
    assert html.count('role="img"') == chart_count(data)
    assert html.count("<caption") >= html.count('role="img"')  # every chart has a table


def test_same_data_gives_identical_files(report_plan, quarterly_files):
    _, first = quarterly_files
    again = services.render_data(
        services.build("quarterly", report_plan, None, produced=PRODUCED))
    assert again["html"] == first["html"]
    assert pdf_text(again["pdf"]) == pdf_text(first["pdf"])
    assert word_text(again["docx"]) == word_text(first["docx"])
    # Not asked for, but true: the files are byte for byte the same.
    assert again["pdf"] == first["pdf"] and again["docx"] == first["docx"]


def test_rendered_pages_are_kept_as_images(report_plan, quarterly_files):
    """Every page of the quarterly, thematic and annual PDFs as a PNG under out/report-pages/,
    for people to look at (CI keeps the folder)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    folder = REPO / "out" / "report-pages"
    folder.mkdir(parents=True, exist_ok=True)
    reports = {
        "quarterly": quarterly_files[1]["pdf"],
        "thematic": services.render_data(services.build(
            "thematic", report_plan, None, theme=4, produced=PRODUCED), ("pdf",))["pdf"],
        "annual": services.render_data(services.build(
            "annual", report_plan, None, produced=PRODUCED), ("pdf",))["pdf"],
    }
    for kind, content in reports.items():
        for old in folder.glob(f"test-{kind}-*"):
            old.unlink()
        pdf = folder / f"test-{kind}-report.pdf"
        pdf.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf),
                        str(folder / f"test-{kind}-page")], check=True)
        images = sorted(folder.glob(f"test-{kind}-page-*.png"))
        assert len(images) == len(pdf_reader(content).pages), kind


def test_what_a_reader_would_trip_on_is_fixed(report_plan, quarterly_files):
    """Found by looking at every page: dashes explained, numbers right-aligned in the peer
    table, grades named, no Word table row split across pages, and a missing peer comparison
    said in words."""
    data, files = quarterly_files
    html = files["html"].decode()
    measures = [m for t in data["themes"] for m in t["measures"]]
    no_change = [m for m in measures if m["available"] and not m["quarter"]["change_available"]]
    assert len(no_change) == 3  # April to June 2024 is not loaded
    assert ("A dash (–) for the change means there is no figure for the same quarter a year "
            f"earlier (April to June 2024) for 3 of the {len(measures)} measures") in html
    vehicle = next(m for t in data["themes"] for m in t["measures"] if m["code"] == VEHICLE)
    named = (f"Grade: {vehicle['grade']['label']}; against the target: "
             f"{vehicle['status']['label']}")
    assert named in word_text(files["docx"]).splitlines()
    assert "against the target:" in pdf_text(files["pdf"])  # spacing around tags varies
    document = word(files["docx"])
    peers = word_table_after(document, "Data for the chart: Vehicle crime: rate per 1,000 "
                                       "people, April to June 2025")
    assert peers[0] == ["Force", "Rate per 1,000 people", "Count", "Population"]
    ours = next(b for b in vehicle["peers"]["bars"] if b["highlight"])
    assert [f"{ours['count']:,}", f"{ours['population']:,}"] in [row[2:] for row in peers]
    for table in document.tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit"
            ) is not None
    count_cells = [row.cells[2].paragraphs[0].alignment for row in
                   next(t for t in document.tables if t.rows[0].cells[0].text == "Force").rows]
    assert all(a == 2 for a in count_cells)  # WD_ALIGN_PARAGRAPH.RIGHT
    annual = render.html(services.build("annual", report_plan, None, produced=PRODUCED))
    assert ("There is no comparison with peer forces: their street-level figures for January "
            "to March 2021 are not loaded") in annual


# --- periods ------------------------------------------------------------------------------


def test_an_earlier_quarter_is_computed_from_the_data_up_to_its_end(report_plan):
    data = services.build("quarterly", report_plan, "2024/25-Q4", produced=PRODUCED)
    assert data["title"] == "Quarterly performance report: January to March 2025"
    vehicle = next(m for t in data["themes"] for m in t["measures"] if m["code"] == VEHICLE)
    months = periods.months_of_quarter("2024/25 Q4")
    assert vehicle["quarter"]["count"] == street_count(report_plan, "Vehicle crime", months)
    assert vehicle["source"] == "computed"
    assert vehicle["spc"]["points"][-1]["period"] == "2025-03"


@pytest.mark.parametrize("text,label", [("2025/26-Q1", "2025/26 Q1"), ("2025/26 Q1", "2025/26 Q1"),
                                        ("2025-26-q1", "2025/26 Q1")])
def test_quarter_spellings(text, label):
    assert parse_quarter(text) == label


def test_periods_that_cannot_be_reported_say_why(report_plan):
    with pytest.raises(ReportError, match="July 2025, August 2025, September 2025 are not "
                       "loaded"):
        services.build("quarterly", report_plan, "2025/26-Q2")
    with pytest.raises(ReportError, match="not a quarter"):
        services.build("quarterly", report_plan, "2025-Q5")
    with pytest.raises(ReportError, match="no theme 9"):
        services.build("thematic", report_plan, None, theme=9)
    with pytest.raises(ReportError, match="not a financial year"):
        services.build("annual", report_plan, "2025")
    with pytest.raises(ReportError, match="No quarter of 2023/24"):
        services.build("annual", report_plan, "2023/24")


# --- commentary ---------------------------------------------------------------------------


def test_only_approved_commentary_is_shown_and_missing_is_flagged(report_plan):
    from oversight.accounts.services import create_user

    author = create_user("anna", "analyst", password="x" * 12)
    reviewer = create_user("bob", "analyst", password="x" * 12)
    measure = report_plan.measures.get(code=VEHICLE)
    text = "Vehicle crime rose in May after a series of catalytic converter thefts."
    item = commentary.save_draft(measure, "2025/26 Q1", text, author)

    def vehicle_entry(data):
        return next(m for t in data["themes"] for m in t["measures"] if m["code"] == VEHICLE)

    draft = services.build("quarterly", report_plan, None, produced=PRODUCED)
    assert vehicle_entry(draft)["commentary"] is None
    assert "Vehicle crime" in [m["name"] for m in draft["missing_commentary"]]
    assert text not in render.html(draft)

    commentary.submit_for_review(item, author)
    commentary.approve(item, reviewer)
    approved = services.build("quarterly", report_plan, None, produced=PRODUCED)
    assert vehicle_entry(approved)["commentary"] == text
    assert "Vehicle crime" not in [m["name"] for m in approved["missing_commentary"]]
    assert text in render.html(approved)


# --- exceptions ---------------------------------------------------------------------------


def _figures(quarterly: list[int], start: str = "2019/20 Q1") -> dict:
    series, label = [], start
    for total in quarterly:
        for index, month in enumerate(periods.months_of_quarter(label)):
            series.append({"period": month, "count": total // 3 + (total % 3 if index == 0
                                                                   else 0)})
        label = periods.next_quarter(label)
    return {"available": True, "series": series}


def test_two_quarters_above_the_expected_range_make_an_exception():
    measure = SimpleNamespace(polarity="lower")
    steady = [300, 310, 290, 305, 295, 300, 310, 290, 300, 305]
    quarters = [periods.quarter_label(2019, 1)]
    for _ in range(len(steady) + 1):
        quarters.append(periods.next_quarter(quarters[-1]))
    one_out = exception_for(measure, _figures([*steady, 420]), quarters[10])
    assert one_out["assessed"] and not one_out["is_exception"]
    two_out = exception_for(measure, _figures([*steady, 420, 430]), quarters[11])
    assert two_out["is_exception"]
    assert "above the expected range for 2 quarters running" in two_out["sentence"]
    assert two_out["quarters"][-1]["out"] and two_out["quarters"][-2]["out"]
    better = exception_for(SimpleNamespace(polarity="higher"), _figures([*steady, 420, 430]),
                           quarters[11])
    assert not better["is_exception"]  # higher is better: good news is not an exception
    short = exception_for(measure, _figures([300, 310, 420, 430]), "2019/20 Q4")
    assert not short["assessed"] and "at least 8" in short["reason"]


def test_exceptions_come_first_with_what_why_and_action(quarterly_files):
    data = copy.deepcopy(quarterly_files[0])
    vehicle = next(m for t in data["themes"] for m in t["measures"] if m["code"] == VEHICLE)
    vehicle["exception"] = {"assessed": True, "is_exception": True,
                            "sentence": "The quarterly count has been above the expected range "
                                        "for 2 quarters running (1,700 and 1,750; limit 1,650).",
                            "quarters": [{"label": "2025/26 Q1", "words": "April to June 2025",
                                          "count": 1750, "lower": 1200, "upper": 1650,
                                          "out": True, "side": "above"}]}
    data = {**data, "exceptions": {"items": [vehicle], "not_assessed": []}}
    html = render.html(data)
    check_page(html)
    exceptions_at = html.index('id="exceptions"')
    assert exceptions_at < html.index('id="theme-4"')
    section = html[exceptions_at:html.index('id="theme-4"')]
    assert "1,700 and 1,750" in section and "Why, and what is being done" in section
    assert "Commentary missing" in section
    assert "Resources can be commissioned to prevent and detect vehicle crime" in section


# --- sections from later apps -------------------------------------------------------------


def test_optional_sections_appear_only_when_a_provider_has_data(report_plan, monkeypatch):
    without = services.build("quarterly", report_plan, None, produced=PRODUCED)
    assert without["sections"] == []
    assert "Commissioned services" not in render.html(without)
    monkeypatch.setattr(sections, "PROVIDERS",
                        ("oversight.not_built_yet.reporting", "tests.reports.fake_section"))
    data = services.build("quarterly", report_plan, None, produced=PRODUCED)
    html = render.html(data)
    assert ("commissioned-services", "Commissioned services") in [tuple(c) for c in
                                                                  data["contents"]]
    assert "Youth Commission" in html and "£15,000" in html


# --- thematic and annual ------------------------------------------------------------------


def test_thematic_update_for_one_theme(report_plan):
    data = services.build("thematic", report_plan, "2025/26-Q1", theme=4, produced=PRODUCED)
    files = services.render_data(data, ("html", "docx"))
    html = files["html"].decode()
    check_page(html)
    assert data["title"] == "Thematic update: Making Communities and Neighbourhoods Safer"
    for heading in ("Purpose of the report", "Recommendation", "Background",
                    "Measures under this theme", "Background papers"):
        assert f">{heading}</h2>" in html
    assert "Reduce all crime, domestic burglary, violence with injury and vehicle crime" in html
    level_1 = [t for s, t in word_headings(word(files["docx"])) if s == "Heading 1"]
    assert level_1[:4] == ["Contents", "Purpose of the report", "Recommendation", "Background"]


def test_annual_report_across_the_year(report_plan):
    data = services.build("annual", report_plan, None, produced=PRODUCED)
    assert data["period"]["label"] == "2020/21"  # the latest year with all four quarters
    vehicle = next(m for t in data["themes"] for m in t["measures"] if m["code"] == VEHICLE)
    months = periods.period_months("2020/21")
    assert vehicle["year"]["total"]["count"] == street_count(report_plan, "Vehicle crime",
                                                             months)
    assert [q["available"] for q in vehicle["year"]["quarters"]] == [True] * 4
    html = render.html(data)
    check_page(html)
    assert "Vehicle crime: the year by quarter" in html
    partial = services.build("annual", report_plan, "2025/26", produced=PRODUCED)
    assert partial["quarters_loaded"] == ["April to June 2025"]


# --- publishing, freezing and revisions ---------------------------------------------------


def _revised_month(tmp_path: Path, month: str, crime_type: str, drop: int) -> Path:
    """The force's file for ``month`` re-issued with ``drop`` rows of ``crime_type`` removed."""
    source = DEMO_DATA / "street" / month / f"{month}-leicestershire-street.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    column = header.index("Crime type")
    dropped, kept = 0, []
    for row in body:
        if row[column] == crime_type and dropped < drop:
            dropped += 1
            continue
        kept.append(row)
    target = tmp_path / f"{month}-leicestershire-street.csv.gz"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *kept])
    target.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    return target


def test_published_report_is_frozen_and_lists_revisions(report_plan, tmp_path, client):
    from oversight.accounts.models import AuditEvent
    from oversight.accounts.services import create_user
    from oversight.data import services as data_services
    from oversight.performance.services import compute_plan

    publisher = create_user("pia", "analyst", password="x" * 12)
    report = services.publish("quarterly", report_plan, "2025/26-Q1", user=publisher)
    assert (report.version, report.period, report.public) == (1, "2025/26 Q1", True)
    assert report.pdf_sha256 == hashlib.sha256(bytes(report.pdf)).hexdigest()
    assert report.docx_sha256 == hashlib.sha256(bytes(report.docx)).hexdigest()
    assert "Published, version 1" in report.html and "Draft" not in pdf_text(bytes(report.pdf))
    event = AuditEvent.objects.get(action="report.publish", object_id=str(report.id))
    assert event.user == publisher and event.after["pdf_sha256"] == report.pdf_sha256
    old_count = stored_quarter(report_plan)["count"]
    assert services.revisions(report) == {"files": [], "figures": [], "note": ""}

    # The force re-issues June 2025 with 7 fewer vehicle crimes; figures are recomputed.
    data_services.import_police_uk([_revised_month(tmp_path, "2025-06", "Vehicle crime", 7)],
                                   imported_by="test")
    compute_plan(report_plan)
    assert stored_quarter(report_plan)["count"] == old_count - 7

    report.refresh_from_db()
    assert hashlib.sha256(report.html.encode()).hexdigest() == report.html_sha256
    assert render.html(report.context) == report.html  # the frozen data draws the same report
    assert f"{old_count:,}" in pdf_text(bytes(report.pdf))
    changed = services.revisions(report)
    assert any("2025-06-leicestershire-street.csv.gz" in line and "replaced" in line
               for line in changed["files"])
    assert (f"Vehicle crime: the count for April to June 2025 was {old_count:,} in the report "
            f"and is now {old_count - 7:,}.") in changed["figures"]

    # The public pages list it, show the revisions, and serve the files as published.
    listing = client.get("/reports/published/").content.decode()
    check_page(listing)
    assert f"/reports/published/{report.id}/" in listing
    page = client.get(f"/reports/published/{report.id}/").content.decode()
    check_page(page)
    assert "Revisions since publication" in page and f"{old_count - 7:,}" in page
    pdf = client.get(f"/reports/published/{report.id}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == report.pdf_sha256
    assert client.get(f"/reports/published/{report.id}/report.html").content.decode() == \
        report.html

    # A correction is a new version; the first stays as it was.
    second = services.publish("quarterly", report_plan, "2025/26-Q1", user=publisher,
                              note="June 2025 re-issued by the force")
    assert second.version == 2 and f"{old_count - 7:,}" in second.html
    assert PublishedReport.objects.get(pk=report.pk).html_sha256 == report.html_sha256


def test_internal_reports_are_not_public(report_plan, quarterly_files, client):
    data, files = quarterly_files
    report = PublishedReport.objects.create(
        kind="quarterly", plan=report_plan, period="2025/26 Q1", public=False,
        series="quarterly:test:internal", version=1, title=data["title"],
        published_at=timezone.now(), published_by_name="test", context=data,
        html=files["html"].decode(), html_sha256="-", pdf=files["pdf"], pdf_sha256="-",
        docx=files["docx"], docx_sha256="-")
    assert client.get(f"/reports/published/{report.id}/").status_code == 404
    assert client.get(f"/reports/published/{report.id}/report.pdf").status_code == 404
    listing = client.get("/reports/published/").content.decode()
    assert f"/reports/published/{report.id}/" not in listing


# --- the command line and the site --------------------------------------------------------


def test_formats_in_any_order():
    assert parse_formats("PDF, docx,html,pdf") == ["pdf", "docx", "html"]
    with pytest.raises(UserError, match="Unknown format odt"):
        parse_formats("pdf,odt")


def test_command_writes_the_formats_asked_for(report_plan, tmp_path):
    result = CliRunner().invoke(app, ["report", "quarterly", "--period", "2025/26-Q1",
                                      "--format", "docx,html", "--out", str(tmp_path),
                                      "--produced", PRODUCED])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "quarterly-report-2025-26-Q1.docx", "quarterly-report-2025-26-Q1.html"]
    bad = CliRunner().invoke(app, ["report", "quarterly", "--period", "2025/26-Q3"])
    assert bad.exit_code == 1 and "not complete" in bad.output


def test_site_draft_report_page(report_plan, client):
    response = client.get("/reports/quarterly/")
    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    assert "Show the data for this chart" in html and "Draft, not published" in html


# --- measures from other sources: the ONS tables, returns and surveys ---------------------

VIOLENCE = "MCNS-VIOLENCE-WITH-INJURY"
ONS_EXTRACT = DEMO_DATA / "ons" / "pfa_tables_p1_p3_long_extract.csv"


def from_extract(period_end: str, measure: str) -> float:
    """Leicestershire's violence with injury figure, read straight from the shipped extract."""
    with ONS_EXTRACT.open(newline="", encoding="utf-8") as stream:
        return next(float(r["value"]) for r in csv.DictReader(stream)
                    if r["area_code"] == "E23000021" and r["period_end"] == period_end
                    and r["variable"] == "Violence with injury" and r["measure"] == measure)


def entry(data, code):
    return next(m for t in data["themes"] for m in t["measures"] if m["code"] == code)


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_an_ons_measure_shows_its_latest_published_figure_in_all_three_formats(
        report_plan, quarterly_files):
    data, files = quarterly_files
    stored = report_plan.measures.get(code=VIOLENCE).result.figures["latest"]
    count = from_extract("2019-12", "count")
    rate = from_extract("2019-12", "rate_per_1000_population")
    before, year_before = from_extract("2019-09", "count"), from_extract("2018-12", "count")
    assert (stored["period"], stored["value"]) == ("2019-12", count)  # the database
    assert stored["rate"] == pytest.approx(rate)
    shown, rate_shown = f"{int(count):,}", f"{rate:.2f}"
    up_year = f"up {int(count - year_before):,} ({100 * (count - year_before) / year_before:.1f}%)"
    up_before = f"up {int(count - before):,} ({100 * (count - before) / before:.1f}%)"

    violence = entry(data, VIOLENCE)
    assert violence["available"] and not violence["external"]["for_quarter"]
    assert violence["external"]["figure_words"] == shown

    html = files["html"].decode()
    section = html[html.index(f'id="measure-{VIOLENCE.lower()}"'):]
    section = section[:section.index("</section>")]
    assert (f"Latest published figure for the 12 months to December 2019: <strong>{shown}"
            f"</strong> ({rate_shown} per 1,000 people; population 1,093,200, ONS mid-2018 "
            f"estimate); {up_year} on a year earlier.") in section
    assert ("There is no figure for April to June 2025 from this source: this is the latest "
            "published figure loaded, for the 12 months to December 2019.") in section
    assert "edition pfatablesdec19.xlsx" in section
    assert "neighbouring figures share 9 of their months" in section  # why there is no chart
    assert f"chart-{VIOLENCE.lower()}-spc" not in html
    # the ONS tables hold the peers too: the comparison for the same 12 months is shown
    assert "There is no comparison with peer forces" not in section
    assert "rate per 1,000 people, the 12 months to December 2019" in section
    assert "ranked 1 of 6" in section
    annex = next(a for a in data["annex"] if a["code"] == VIOLENCE)
    method = dict(annex["rows"])["Method"]
    assert method.startswith("Source: ONS police force area data tables (Violence with injury, "
                             "12 months ending each quarter).")
    assert "Counted each month" not in method
    assert "Type: ons" not in str(annex["rows"])

    text = squashed(pdf_text(files["pdf"]))
    assert (f"Latest published figure for the 12 months to December 2019: {shown} "
            f"({rate_shown} per 1,000 people; population 1,093,200, ONS mid-2018 estimate)"
            ) in text
    assert "No SPC chart: each figure is a total over 12 months" in text

    document = word(files["docx"])
    rows = word_table_after(document, "Violence against the person with injury: the latest "
                                      "figure, the one before and a year earlier")
    assert rows == [
        ["Figure", "Number", "Rate per 1,000 people", "Latest figure compared with it"],
        ["Latest published figure: the 12 months to December 2019", shown, rate_shown, "–"],
        ["The figure before: the 12 months to September 2019", f"{int(before):,}",
         f"{from_extract('2019-09', 'rate_per_1000_population'):.2f}", up_before],
        ["The same period a year earlier: the 12 months to December 2018",
         f"{int(year_before):,}",
         f"{from_extract('2018-12', 'rate_per_1000_population'):.2f}", up_year],
    ]
    summary = word_table_after(document, "Headline figures for April to June 2025")
    row = next(r for r in summary if r[0].startswith("Violence against the person with injury"))
    assert row[0].endswith("Latest published figure: the 12 months to December 2019")
    assert row[1:4] == [shown, rate_shown,
                        f"+{int(count - year_before):,} "
                        f"({100 * (count - year_before) / year_before:.1f}%)"]
    assert "No SPC chart: each figure is a total over 12 months" in word_text(files["docx"])


def test_an_earlier_quarter_shows_the_ons_figure_as_it_stood_then(report_plan):
    from oversight.performance.services import compute_figures

    data = services.build("quarterly", report_plan, "2018/19-Q3", produced=PRODUCED)
    violence = entry(data, VIOLENCE)
    december_2018 = int(from_extract("2018-12", "count"))
    assert december_2018 == 6840
    measure = report_plan.measures.get(code=VIOLENCE)
    (figures, _, batch_ids), = compute_figures(report_plan, [measure],
                                               last_month="2018-12").values()
    assert figures["latest"]["value"] == december_2018  # the one computation, as at the end
    assert violence["source"] == "computed" and violence["external"]["for_quarter"]
    assert violence["external"]["figure_words"] == "6,840"
    assert violence["external"]["period_words"] == "the 12 months to December 2018"
    assert violence["exception"]["assessed"] is False

    files = services.render_data(data, ("html", "pdf", "docx"))
    html = files["html"].decode()
    check_page(html)
    assert "Figure for the 12 months to December 2018: <strong>6,840</strong>" in html
    assert "7,864" not in html and "December 2019" not in html  # published after the quarter
    assert "Figure for the 12 months to December 2018: 6,840" in squashed(pdf_text(files["pdf"]))
    rows = word_table_after(word(files["docx"]), "Violence against the person with injury: "
                                                 "the latest figure, the one before and a year "
                                                 "earlier")
    assert rows[1][:2] == ["Latest published figure: the 12 months to December 2018", "6,840"]
    assert rows[2][3] == "down 442 (6.1%)"  # on 7,282 for the 12 months to September 2018
    # Two builds of the earlier quarter give the same HTML bytes.
    again = services.render_data(services.build("quarterly", report_plan, "2018/19-Q3",
                                                produced=PRODUCED), ("html",))
    assert again["html"] == files["html"]


def test_thematic_and_annual_reports_show_the_ons_measure(report_plan):
    thematic = render.html(services.build("thematic", report_plan, None, theme=4,
                                          produced=PRODUCED))
    assert "Latest published figure for the 12 months to December 2019: <strong>7,864" in thematic
    data = services.build("annual", report_plan, "2018/19", produced=PRODUCED)
    violence = entry(data, VIOLENCE)
    quarters = {q["label"]: q for q in violence["year"]["quarters"]}
    assert quarters["2018/19 Q3"]["count_words"] == f"{int(from_extract('2018-12', 'count')):,}"
    assert quarters["2018/19 Q3"]["figure_period"] == "The 12 months to December 2018"
    # April to June 2018 has no street-level data loaded, but the ONS figure for it is shown.
    assert quarters["2018/19 Q1"]["count_words"] == f"{int(from_extract('2018-06', 'count')):,}"
    assert not quarters["2018/19 Q4"]["available"]  # after the year end: March 2019 is missing
    assert quarters["2018/19 Q4"]["after_year_end"]
    assert violence["year"]["total"]["words"] == "Not added up"
    html = render.html(data)
    check_page(html)
    assert "Figure for the 12 months to December 2018</span>" in html
    assert "not a count for the year" in html and ">After the year end</td>" in html


def test_a_survey_value_shows_its_sample_and_confidence_interval(report_plan):
    """An internal report (the confidence measure is not public) after a survey result is
    entered as the staff area enters it."""
    import datetime as dt

    from oversight.data import services as data_services

    for period, value, low, high in (("2023/24", 82.0, 80.4, 83.6),
                                     ("2024/25", 85.5, 84.1, 86.9)):
        data_services.record_manual_value(data_services.ManualValue(
            measure_code="MCNS-CONFIDENCE", period=period, value=value,
            force="leicestershire", source="Leicestershire Police community based survey",
            unit="percentage", sample_size=2400, ci_lower=low, ci_upper=high,
            published_on=dt.date(2025, 6, 12)), entered_by="anna")
    data = services.build("quarterly", report_plan, None, public_only=False,
                          produced=PRODUCED)
    confidence = entry(data, "MCNS-CONFIDENCE")["external"]
    assert confidence["figure_words"] == "85.5%"
    assert confidence["period_words"] == "April 2024 to March 2025"
    html = render.html(data)
    assert "sample of 2,400; 95% confidence interval 84.1 to 86.9" in html
    assert "up 3.5 percentage points" in html
    assert "do not overlap, so the change is unlikely to be chance" in html
    assert "Headline figures for April to June 2025" in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Figure</th>' \
        in html  # not "Count": a percentage is not a count
