"""A corpus of bad return files: each gets a clear, specific message and nothing is saved,
whether it comes through the upload page or the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.returns import services
from oversight.returns.validate import ReturnFileError
from tests.data.conftest import dump_tables
from tests.returns.conftest import PERIOD, write
from tests.returns.corpus import CORPUS

pytestmark = pytest.mark.django_db


def test_the_corpus_has_at_least_thirty_kinds_of_bad_file():
    assert len(CORPUS) >= 30
    assert len({bad.key for bad in CORPUS}) == len(CORPUS)


def _message(template, bad, other) -> str:
    data = bad.make(template, other)
    try:
        checked, pending = services.check_upload(template, PERIOD, bad.file_name, data)
    except ReturnFileError as exc:
        return str(exc)
    assert pending is None, f"{bad.key} was accepted"
    return " | ".join(checked.messages())


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.key for bad in CORPUS])
def test_each_bad_file_gets_its_own_message_and_saves_nothing(template, other_template, bad):
    before = dump_tables()

    message = _message(template, bad, other_template)

    for words in bad.says:
        assert words in message, f"{bad.key}: {message}"
    assert dump_tables() == before


def test_the_messages_are_all_different(template, other_template):
    messages = {
        bad.key: _message(template, bad, other_template)
        for bad in CORPUS
        if bad.key != "fifty-megabytes"
    }
    assert len(set(messages.values())) == len(messages)


@pytest.mark.parametrize(
    "bad", [b for b in CORPUS if b.key != "fifty-megabytes"], ids=lambda b: b.key
)
def test_the_upload_page_shows_the_message_and_saves_nothing(
    client, people, template, other_template, bad
):
    client.force_login(people["provider"])
    url = reverse("returns:upload", args=[template.slug, PERIOD])
    before = dump_tables()

    response = client.post(
        url, {"return_file": SimpleUploadedFile(bad.file_name, bad.make(template, other_template))}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "There is a problem" in page
    import html

    text = html.unescape(page)
    for words in bad.says:
        assert words in text, f"{bad.key} not in page"
    tables = dump_tables()
    tables.pop("django_session", None)
    before.pop("django_session", None)
    assert tables == before


def test_a_fifty_megabyte_upload_is_refused_before_it_is_read(client, people, template, tmp_path):
    client.force_login(people["provider"])
    big = write(tmp_path, "return.csv", b"x" * (50 * 1024 * 1024))
    before = dump_tables()
    with big.open("rb") as stream:
        response = client.post(
            reverse("returns:upload", args=[template.slug, PERIOD]), {"return_file": stream}
        )
    assert response.status_code == 400
    assert "is 50.0 MB; a return must be smaller than 5 MB" in response.content.decode()
    tables = dump_tables()
    tables.pop("django_session", None)
    before.pop("django_session", None)
    assert tables == before


def test_the_command_line_lists_every_problem_and_submits_nothing(
    template, other_template, tmp_path: Path
):
    from tests.returns.conftest import filled_xlsx

    good = write(tmp_path, "good.xlsx", filled_xlsx(template))
    bad_ones = [
        b for b in CORPUS if b.key in ("numerator-greater-than-denominator", "text-in-number-cell")
    ]
    bad_paths = [
        write(tmp_path / b.key, b.file_name, b.make(template, other_template)) for b in bad_ones
    ]
    before = dump_tables()

    result = CliRunner().invoke(
        app, ["import", "returns", str(good), *map(str, bad_paths), "--by", "vera"]
    )

    assert result.exit_code == 1
    assert "the numerator (450) is more than the denominator (412)" in result.output
    assert 'value is "four hundred", which is not a number' in result.output
    assert "Nothing was submitted" in result.output
    assert dump_tables() == before
