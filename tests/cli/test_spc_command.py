"""``oversight spc``: the worked examples of DOMAIN.md 4.1 and 4.3 through the command line,
gaps and ghosting, quarters, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from oversight.cli.main import app

REPO = Path(__file__).resolve().parents[2]
SPC = REPO / "tests" / "fixtures" / "spc"
HEADER = "period,value,mean,lower,upper,special_cause,signal"
EXACT = 1e-6

runner = CliRunner()


def invoke(*args: object) -> Result:
    return runner.invoke(app, ["spc", *(str(arg) for arg in args)])


def rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(result.stdout)))


def signals(result: Result) -> list[str]:
    return [row["signal"] for row in rows(result)]


def numbers(table: list[dict[str, str]], column: str) -> set[float]:
    return {float(row[column]) for row in table}


def expected(count: int, **runs: list[int]) -> list[str]:
    """Signals for points numbered from 1 as DOMAIN.md does; every other point is "none"."""
    out = ["none"] * count
    for signal, members in runs.items():
        for point in members:
            out[point - 1] = signal
    return out


def p(first: int, last: int | None = None) -> list[int]:
    """Point numbers from 1: p(5, 10) is "p5-p10"."""
    return list(range(first, (last or first) + 1))


def refused(result: Result) -> str:
    """The one-line error of a refused run, after checking it failed cleanly."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0].removeprefix("Error: ")


# V1: limits only


def test_v1_prints_the_limits_for_every_point() -> None:
    result = invoke(SPC / "v1.csv", "--polarity", "higher")
    table = rows(result)
    assert len(table) == 15
    assert table[0] == {
        "period": "2024-01",
        "value": "20",
        "mean": "23.2",
        "lower": "8.76",
        "upper": "37.64",
        "special_cause": "false",
        "signal": "none",
    }
    assert {(r["mean"], r["lower"], r["upper"]) for r in table} == {("23.2", "8.76", "37.64")}
    assert {(r["special_cause"], r["signal"]) for r in table} == {("false", "none")}
    assert result.stderr == ""


def test_too_few_points_give_no_limits_and_a_note(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text("".join((SPC / "v1.csv").read_text().splitlines(True)[:11]))
    result = invoke(short, "--polarity", "higher")
    table = rows(result)
    assert len(table) == 10
    assert {(r["mean"], r["lower"], r["upper"], r["signal"]) for r in table} == {
        ("", "", "", "none")
    }
    assert "Note: Segment 1 (2024-01 to 2024-10) has 10 points" in result.stderr


# V2: four rules; runs of 6 against 7


V2_N6 = expected(30, concern=[1, *p(5, 10)], improvement=[*p(17, 22), 25, 27])
V2_N7 = expected(30, concern=[1], improvement=[25, 27])


def test_v2_signals_with_runs_of_6() -> None:
    result = invoke(SPC / "v2.csv", "--polarity", "higher")
    assert signals(result) == V2_N6
    table = rows(result)
    assert numbers(table, "mean") == {24.733333}
    assert numbers(table, "upper") == {37.574713}
    assert numbers(table, "lower") == {11.891954}
    assert [r["special_cause"] for r in table] == [
        "true" if s != "none" else "false" for s in V2_N6
    ]


def test_v2_signals_with_runs_of_7() -> None:
    assert signals(invoke(SPC / "v2.csv", "--polarity", "higher", "--run-length", "7")) == V2_N7


def test_v2_lower_is_better_swaps_and_neither_is_purple() -> None:
    swap = {"improvement": "concern", "concern": "improvement", "none": "none"}
    lower = invoke(SPC / "v2.csv", "--polarity", "lower")
    assert signals(lower) == [swap[s] for s in V2_N6]
    neither = invoke(SPC / "v2.csv", "--polarity", "neither")
    assert signals(neither) == [s if s == "none" else "neither" for s in V2_N6]


def test_v2_nhsr_preset_screens_and_uses_runs_of_7() -> None:
    result = invoke(SPC / "v2.csv", "--polarity", "higher", "--preset", "nhsr")
    assert signals(result) == V2_N7
    table = rows(result)
    assert numbers(table, "upper") == {36.228333}
    assert numbers(table, "lower") == {13.238333}


@pytest.mark.parametrize(
    ("target", "icon"),
    [("40", "consistently_fail"), ("30", "hit_or_miss"), ("10", "consistently_pass")],
)
def test_v2_summary_icons(target: str, icon: str) -> None:
    result = invoke(SPC / "v2.csv", "--polarity", "higher", "--target", target, "--summary")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["variation_icon"] == "common_cause"
    assert summary["assurance_icon"] == icon
    assert summary["target"] == float(target)


# V4: recalculation, baseline, assurance


def test_v4_recalculated_at_point_16() -> None:
    # v4.csv starts in 2022-04, so point 16 is 2023-07.
    result = invoke(SPC / "v4.csv", "--polarity", "higher", "--recalculate-at", "2023-07")
    table = rows(result)
    assert signals(result) == expected(30, concern=p(25, 30))
    first, second = table[:15], table[15:]
    assert {(r["mean"], r["lower"], r["upper"]) for r in first} == {("20", "8.41", "31.59")}
    assert {(r["mean"], r["lower"], r["upper"]) for r in second} == {
        ("30.333333", "20.453333", "40.213333")
    }


def test_v4_recalculated_with_the_nhsr_preset_signals_nothing() -> None:
    result = invoke(
        SPC / "v4.csv", "--polarity", "higher", "--recalculate-at", "2023-07", "--preset", "nhsr"
    )
    assert signals(result) == expected(30)


def test_v4_baseline_of_first_15_points() -> None:
    result = invoke(SPC / "v4.csv", "--polarity", "higher", "--baseline", "15")
    assert signals(result) == expected(30, improvement=p(16, 30))
    table = rows(result)
    assert {(r["mean"], r["lower"], r["upper"]) for r in table} == {("20", "8.41", "31.59")}


def test_v4_one_segment() -> None:
    result = invoke(SPC / "v4.csv", "--polarity", "higher")
    assert signals(result) == expected(30, concern=p(1, 15), improvement=p(16, 28))
    table = rows(result)
    assert numbers(table, "mean") == {25.166667}
    assert numbers(table, "upper") == {36.99908}
    assert numbers(table, "lower") == {13.334253}


@pytest.mark.parametrize(
    ("options", "variation", "assurance"),
    [
        (["--baseline", "15"], "improvement_high",
         ["consistently_fail", "hit_or_miss", "hit_or_miss"]),
        (["--recalculate-at", "2023-07"], "concern_low",
         ["hit_or_miss", "hit_or_miss", "consistently_pass"]),
        ([], "common_cause", ["consistently_fail", "hit_or_miss", "consistently_pass"]),
    ],
)
def test_v4_summary_icons(options: list[str], variation: str, assurance: list[str]) -> None:
    for target, icon in zip(("40", "30", "10"), assurance, strict=True):
        result = invoke(
            SPC / "v4.csv", "--polarity", "higher", *options, "--target", target, "--summary"
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["variation_icon"] == variation
        assert summary["assurance_icon"] == icon


def test_v4_recalculated_summary_uses_the_latest_segment() -> None:
    result = invoke(SPC / "v4.csv", "--polarity", "higher", "--recalculate-at", "2023-07",
                    "--summary")
    summary = json.loads(result.stdout)
    assert summary["mean"] == pytest.approx(30.333333, abs=EXACT)
    assert summary["limits"] == {"lower": 20.453333, "upper": 40.213333}
    assert [s["mean"] for s in summary["segments"]] == [20.0, 30.333333]
    assert summary["settings"]["recalculate_at"] == ["2023-07"]


# Leicestershire burglary, December 2019 to November 2022 (DOMAIN.md 4.3)

BURGLARY_MONTHS = [f"{2019 + (11 + k) // 12}-{(11 + k) % 12 + 1:02d}" for k in range(36)]
BURGLARY_SIGNALS = (
    ["concern"] * 3  # December 2019 - February 2020
    + ["none"] * 9  # March - November 2020
    + ["improvement"] * 13  # December 2020 - December 2021
    + ["concern"] * 11  # January - November 2022
)


@pytest.mark.parametrize("run_length", ["6", "7"])
def test_burglary_signals_by_month(run_length: str) -> None:
    result = invoke(
        SPC / "leicestershire_burglary.csv", "--polarity", "lower", "--run-length", run_length
    )
    table = rows(result)
    assert [r["period"] for r in table] == BURGLARY_MONTHS
    assert dict(zip(BURGLARY_MONTHS, signals(result), strict=True)) == dict(
        zip(BURGLARY_MONTHS, BURGLARY_SIGNALS, strict=True)
    )
    june_2021 = next(r for r in table if r["period"] == "2021-06")
    assert june_2021["value"] == "259"
    assert float(june_2021["value"]) < float(june_2021["lower"])
    assert {(r["mean"], r["lower"], r["upper"]) for r in table} == {
        ("395.222222", "263.970222", "526.474222")
    }


def test_burglary_summary() -> None:
    result = invoke(SPC / "leicestershire_burglary.csv", "--polarity", "lower", "--summary")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["mean"] == 395.222222
    assert summary["limits"] == {"lower": 263.970222, "upper": 526.474222}
    assert summary["segments"][0]["mr_bar"] == 49.342857
    assert summary["variation_icon"] == "concern_high"
    assert summary["assurance_icon"] is None  # no target
    assert summary["summary"].startswith("The latest value (520) is higher than usual")
    assert summary["first_period"] == "2019-12"
    assert summary["last_period"] == "2022-11"
    assert summary["points"] == 36
    assert summary["ghosted"] == []
    assert summary["warnings"] == []


def test_burglary_with_a_target() -> None:
    result = invoke(SPC / "leicestershire_burglary.csv", "--polarity", "lower", "--target",
                    "250", "--summary")
    assert json.loads(result.stdout)["assurance_icon"] == "consistently_fail"


# Gaps and ghosting


def test_a_gap_is_refused_naming_the_missing_months() -> None:
    message = refused(invoke(SPC / "gap.csv", "--polarity", "higher"))
    assert message == (
        f"{SPC / 'gap.csv'}: the months 2019-03 to 2019-11 (between rows 15 and 16) are "
        "missing; add them, or pass --ghost-gaps to leave them out of the limits"
    )


def test_ghost_gaps_inserts_the_missing_months_as_ghosted_points() -> None:
    result = invoke(SPC / "gap.csv", "--polarity", "higher", "--ghost-gaps")
    table = rows(result)
    assert len(table) == 39
    gap = [r for r in table if "2019-03" <= r["period"] <= "2019-11"]
    assert [r["period"] for r in gap] == [f"2019-{m:02d}" for m in range(3, 12)]
    assert {(r["value"], r["special_cause"], r["signal"]) for r in gap} == {("", "false", "none")}
    # The 30 real points set the limits; the moving range across the gap is dropped, not
    # bridged, so mR-bar is (140 - |29 - 20|) / 28 = 131 / 28.
    assert numbers(table, "mean") == {24.733333}
    assert numbers(table, "upper") == {round(742 / 30 + 2.66 * 131 / 28, 6)}
    assert "Note: Ghosted (left out of the mean and limits, not tested): 2019-03 to 2019-11." in (
        result.stderr
    )
    summary = json.loads(invoke(SPC / "gap.csv", "--polarity", "higher", "--ghost-gaps",
                                "--summary").stdout)
    assert summary["ghosted"] == [f"2019-{m:02d}" for m in range(3, 12)]
    assert summary["points"] == 39


def test_ghosting_some_of_a_gap_still_names_the_rest() -> None:
    message = refused(invoke(SPC / "gap.csv", "--polarity", "higher", "--ghost", "2019-03"))
    assert "the months 2019-04 to 2019-11 (between rows 15 and 16) are missing" in message


def test_several_gaps_and_a_single_month(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("period,value\n2020-01,1\n2020-03,2\n2020-04,3\n2020-07,4\n")
    message = refused(invoke(path, "--polarity", "higher"))
    assert "the months 2020-02 (between rows 2 and 3) and 2020-05 to 2020-06 (between rows 4 " \
        "and 5) are missing; add them" in message
    path.write_text("period,value\n2020-01,1\n2020-03,2\n")
    message = refused(invoke(path, "--polarity", "higher"))
    assert "the month 2020-02 (between rows 2 and 3) is missing; add it, or pass --ghost-gaps " \
        "to leave it out of the limits" in message


def test_a_blank_value_is_refused_unless_ghosted(tmp_path: Path) -> None:
    path = tmp_path / "series.csv"
    lines = (SPC / "v1.csv").read_text().splitlines()
    lines[6] = "2024-06,"
    path.write_text("\n".join(lines) + "\n")
    message = refused(invoke(path, "--polarity", "higher"))
    assert message == (
        f'{path}, row 7, column value: the value for 2024-06 is blank; fill it in, or pass '
        '--ghost "2024-06" (or --ghost-gaps) to leave it out of the limits'
    )
    for option in (["--ghost", "2024-06"], ["--ghost-gaps"]):
        table = rows(invoke(path, "--polarity", "higher", *option))
        assert table[5] == {
            "period": "2024-06",
            "value": "",
            "mean": "23.714286",  # (348 - 16) / 14
            "lower": table[5]["lower"],
            "upper": table[5]["upper"],
            "special_cause": "false",
            "signal": "none",
        }


def test_a_ghosted_value_is_shown_but_left_out() -> None:
    result = invoke(SPC / "v1.csv", "--polarity", "higher", "--ghost", "2024-11")
    table = rows(result)
    assert table[10]["value"] == "34"
    assert table[10]["signal"] == "none"
    assert numbers(table, "mean") == {round((348 - 34) / 14, 6)}
    assert "2024-11" in result.stderr


# Quarters


def test_quarters_give_the_same_chart() -> None:
    table = rows(invoke(SPC / "v1_quarters.csv", "--polarity", "higher"))
    assert [r["period"] for r in table][:5] == [
        "2021/22 Q1", "2021/22 Q2", "2021/22 Q3", "2021/22 Q4", "2022/23 Q1"
    ]
    assert table[-1]["period"] == "2024/25 Q3"
    assert {(r["mean"], r["lower"], r["upper"]) for r in table} == {("23.2", "8.76", "37.64")}


def test_quarter_options_accept_either_spelling() -> None:
    a = invoke(SPC / "v1_quarters.csv", "--polarity", "higher", "--ghost", "2023/24 Q1")
    b = invoke(SPC / "v1_quarters.csv", "--polarity", "higher", "--ghost", "Q1 2023/24")
    assert rows(a) == rows(b)
    assert numbers(rows(a), "mean") == {round((348 - 31) / 14, 6)}
    assert "Ghosted (left out of the mean and limits, not tested): 2023/24 Q1." in a.stderr


def test_a_quarter_gap_is_refused_and_can_be_ghosted(tmp_path: Path) -> None:
    path = tmp_path / "quarters.csv"
    lines = (SPC / "v1_quarters.csv").read_text().splitlines()
    path.write_text("\n".join(lines[:5] + lines[7:]) + "\n")
    message = refused(invoke(path, "--polarity", "higher"))
    assert "the quarters 2022/23 Q1 to 2022/23 Q2 (between rows 5 and 6) are missing" in message
    table = rows(invoke(path, "--polarity", "higher", "--ghost-gaps"))
    assert len(table) == 15
    assert [r["value"] for r in table[4:6]] == ["", ""]


# Bad input files: each refused with exit code 1 and one sentence naming the file, row and column


def write(tmp_path: Path, text: str | bytes, name: str = "series.csv") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return name


GOOD = "period,value\n" + "".join(f"2024-{m:02d},{400 + m}\n" for m in range(1, 13))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2024-01,412\n2024-02,398\n",
            "series.csv, row 1: the header line is missing (the file starts with data); "
            "add period,value as the first line",
        ),
        (
            "month,count\n2024-01,412\n",
            'series.csv, row 1: the header is "month,count" but it must name the columns period '
            "and value; make the first line period,value",
        ),
        (
            GOOD.replace("2024-06,406", "2024-06,12x"),
            'series.csv, row 7, column value: "12x" is not a number; use digits only, with a '
            "decimal point if needed, e.g. 412 or 83.46",
        ),
        (
            GOOD.replace("2024-06,406", '2024-06,"1,406"'),
            'series.csv, row 7, column value: "1,406" is not a number; use digits only and no '
            "thousands separators, with a decimal point if needed, e.g. 412 or 83.46",
        ),
        (
            GOOD.replace("2024-06,406", "2024-06,1,406"),
            "series.csv, row 7: this row has 3 columns but the header has 2; if a number has a "
            "comma in it, such as 1,234, remove the comma",
        ),
        (
            GOOD.replace("2024-06,406", "2024-06"),
            "series.csv, row 7: this row has 1 column but the header has 2; give a period and a "
            "value on every row, separated by a comma",
        ),
        (
            GOOD.replace("2024-06", "2024-13"),
            'series.csv, row 7, column period: "2024-13" is not a month; use YYYY-MM with a '
            "month from 01 to 12, e.g. 2019-03",
        ),
        (
            GOOD.replace("2024-06", "June 2024"),
            'series.csv, row 7, column period: "June 2024" is not a period; use a month such as '
            "2019-12 or a financial-year quarter such as 2025/26 Q1",
        ),
        (
            GOOD.replace("2024-06", "2024-6"),
            'series.csv, row 7, column period: "2024-6" is not a month; use YYYY-MM with two '
            "digits for the month, e.g. 2019-03",
        ),
        (
            "period,value\n2024/26 Q1,4\n",
            'series.csv, row 2, column period: "2024/26 Q1" is not a financial year; the two '
            "years must follow on, as in 2025/26",
        ),
        (
            GOOD.replace("2024-06,406", "2024/25 Q1,406"),
            'series.csv, row 7, column period: "2024/25 Q1" is a quarter but the rows above are '
            "months; use months throughout",
        ),
        (
            GOOD.replace("2024-06,406", ",406"),
            "series.csv, row 7, column period: the period is blank; give a month such as 2019-12 "
            "or a financial-year quarter such as 2025/26 Q1",
        ),
        (
            GOOD.replace("2024-07", "2024-05"),
            "series.csv, row 8, column period: 2024-05 is repeated (it is on row 6 too); give "
            "each period once",
        ),
        (
            "period,value\n2024-01,1\n2024-03,3\n2024-02,2\n",
            "series.csv, row 4, column period: 2024-02 comes after 2024-03 on row 3, but it is "
            "earlier; sort the rows oldest first",
        ),
        (
            "",
            "series.csv is empty; it needs a header line period,value and then one row per "
            "period, e.g. 2019-12,557",
        ),
        (
            "\n \n",
            "series.csv is empty; it needs a header line period,value and then one row per "
            "period, e.g. 2019-12,557",
        ),
        (
            "period,value\n",
            "series.csv has a header but no data; add one row per period under it, "
            "e.g. 2019-12,557",
        ),
        (
            "period,value,value\n2024-01,1,1\n",
            "series.csv, row 1: the header has two value columns; keep one",
        ),
        (
            b"period,value\n2024-01,\xa3412\n",
            "series.csv is not a UTF-8 text file; save it from your spreadsheet as CSV UTF-8",
        ),
    ],
    ids=[
        "missing header", "wrong header", "text in value", "thousands separator",
        "unquoted comma", "one column", "month 13", "words for period", "one-digit month",
        "bad financial year", "mixed months and quarters", "blank period", "duplicate period",
        "out of order", "empty file", "blank lines only", "header only", "repeated column",
        "not utf-8",
    ],
)
def test_bad_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | bytes, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    name = write(tmp_path, text)
    assert refused(invoke(name, "--polarity", "higher")) == message


def test_header_may_have_other_columns_in_any_order_and_a_bom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    body = "".join(f"{400 + m}, 2024-{m:02d} ,note\n" for m in range(1, 13))
    write(tmp_path, "\ufeffValue,Period,comment\n\n400,2023-12,\n" + body + "\n")
    table = rows(invoke("series.csv", "--polarity", "lower"))
    assert [r["period"] for r in table][:3] == ["2023-12", "2024-01", "2024-02"]
    assert len(table) == 13
    assert table[0]["value"] == "400"
    assert table[0]["mean"] == "406"


def test_a_missing_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert refused(invoke("nothere.csv", "--polarity", "higher")) == (
        "nothere.csv: there is no such file; check the name and the folder"
    )


# Bad options


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            [],
            "Say which way is better with --polarity higher, lower or neither (neither is for "
            "measures such as hate crime, where a rise can be good news)",
        ),
        (["--polarity", "up"], '--polarity "up" is not allowed; use higher, lower or neither'),
        (
            ["--polarity", "higher", "--run-length", "8"],
            '--run-length "8" is not allowed; use 6 or 7',
        ),
        (
            ["--polarity", "higher", "--preset", "excel"],
            '--preset "excel" is not allowed; use mdc or nhsr',
        ),
        (
            ["--polarity", "higher", "--baseline", "1"],
            '--baseline "1" must be a whole number of points, at least 2, e.g. 15',
        ),
        (
            ["--polarity", "higher", "--target", "ten"],
            '--target "ten" is not a number; use digits only, e.g. 400',
        ),
        (
            ["--polarity", "higher", "--recalculate-at", "2030-01"],
            "--recalculate-at 2030-01 is not in v1.csv, which runs from 2024-01 to 2025-03; "
            "name a period in that range",
        ),
        (
            ["--polarity", "higher", "--recalculate-at", "2024-01"],
            "--recalculate-at 2024-01 is the first period in v1.csv; name the first period of "
            "the new segment, which must come later",
        ),
        (
            ["--polarity", "higher", "--recalculate-at", "2024/25 Q1"],
            "--recalculate-at 2024/25 Q1 is a quarter but v1.csv has months; name a month",
        ),
        (
            ["--polarity", "higher", "--ghost", "2024"],
            '--ghost: "2024" is not a period; use a month such as 2019-12 or a financial-year '
            "quarter such as 2025/26 Q1",
        ),
    ],
)
def test_bad_options_are_refused(
    monkeypatch: pytest.MonkeyPatch, options: list[str], message: str
) -> None:
    monkeypatch.chdir(SPC)
    assert refused(invoke("v1.csv", *options)) == message


def test_options_are_case_insensitive() -> None:
    result = invoke(SPC / "v2.csv", "--polarity", "Higher", "--preset", "NHSR")
    assert signals(result) == V2_N7


def test_baseline_with_recalculation_uses_the_baseline_and_says_so() -> None:
    result = invoke(
        SPC / "v4.csv", "--polarity", "higher", "--baseline", "15", "--recalculate-at", "2023-07"
    )
    assert signals(result) == expected(30, improvement=p(16, 30))
    assert "Note: A baseline and recalculations are both set: only the baseline is used." in (
        result.stderr
    )


# The command as a user runs it, without Django


def test_python_m_oversight_spc_runs_without_django(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    path = str(SPC / "leicestershire_burglary.csv")
    done = subprocess.run(
        [sys.executable, "-m", "oversight", "spc", path, "--polarity", "lower"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == invoke(path, "--polarity", "lower").stdout
    check = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from oversight.cli.main import app\n"
        f"r = CliRunner().invoke(app, ['spc', {path!r}, '--polarity', 'lower', '--summary'])\n"
        "assert r.exit_code == 0, r.output\n"
        "apps = sys.modules.get('django.apps')\n"
        "print('started' if apps is not None and apps.apps.ready else 'not started')\n"
    )
    probe = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=REPO, env=env,
        timeout=60, check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "not started"


def test_bad_input_through_python_m_exits_1_without_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("2024-06,406", "2024-06,12x"))
    done = subprocess.run(
        [sys.executable, "-m", "oversight", "spc", "series.csv", "--polarity", "higher"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert 'series.csv, row 7, column value: "12x" is not a number' in done.stderr
