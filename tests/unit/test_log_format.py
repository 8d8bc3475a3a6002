"""What a log line shows: valid JSON one a line, the fields given, and never an IBAN in clear, an API key's
secret, a password or a raw lone surrogate."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from prorata.entrypoints.log_format import JsonFormatter, TextFormatter, formatter

KEY = "prk_0192f3a4b5c6d7e8f90a1b2c3d4e5f60_Zx9-secretpart_42"


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("prorata.test", logging.INFO, __file__, 1, message, args or None, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def json_line(made: logging.LogRecord) -> dict[str, object]:
    line = JsonFormatter().format(made)
    assert "\n" not in line
    line.encode("utf-8")  # strict: no lone surrogate reaches the stream
    found: dict[str, object] = json.loads(line)
    return found


def test_a_json_line_holds_the_message_level_logger_and_the_fields_given() -> None:
    line = json_line(record("GET %s %d", "/v1/communities", 200, request_id="r-1", duration_ms=3.5))
    assert line["message"] == "GET /v1/communities 200"
    assert (line["level"], line["logger"]) == ("info", "prorata.test")
    assert (line["request_id"], line["duration_ms"]) == ("r-1", 3.5)
    assert str(line["time"]).endswith("Z")


@pytest.mark.parametrize(
    "iban",
    ["ES9121000418450200051332", "ES91 2100 0418 4502 0005 1332", "FR76 3000 6000 0112 3456 7890 189"],
)
def test_an_iban_in_a_message_is_masked_in_both_formats(iban: str) -> None:
    made = record("units sheet row 4: %s has wrong check digits", iban)
    masked = str(json_line(made)["message"])
    assert iban not in masked
    assert iban.replace(" ", "")[-4:] in masked.replace(" ", "")
    assert "****" in masked
    assert iban not in TextFormatter().format(made)
    assert "has wrong check digits" in masked


def test_ids_digests_and_words_are_not_taken_for_ibans() -> None:
    sha = "ab12" + "c" * 60
    text = f"import 0192f3a4-b5c6-7d8e-9f0a-1b2c3d4e5f60 of {sha} ended SETTLED ES91 OK"
    assert json_line(record(text))["message"] == text


def test_secrets_never_reach_a_line() -> None:
    made = record(
        "sent Authorization: Bearer %s to postgresql://prorata:hunter2pass@db/prorata, Basic b3M6c2VjcmV0",
        KEY,
        header=f"Bearer {KEY}",
    )
    for line in (JsonFormatter().format(made), TextFormatter().format(made)):
        assert "secretpart" not in line
        assert "hunter2pass" not in line
        assert "b3M6c2VjcmV0" not in line
        assert "prk_0192f3a4b5c6d7e8f90a1b2c3d4e5f60_***" in line  # the key's id stays, to trace it


def test_a_file_name_that_was_not_utf8_keeps_the_line_valid_json() -> None:
    name = b"lecturas \xff\xfe.csv".decode("utf-8", "surrogateescape")
    line = json_line(record("claimed %r for demo", name, path=name))
    assert "\\udcff" in str(line["message"])
    assert "\\udcff" in str(line["path"])


def test_a_traceback_is_one_field_of_the_same_line_and_masked_too() -> None:
    try:
        raise ValueError("ES9121000418450200051332 is not valid")
    except ValueError:
        made = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json_line(made)
    assert "ValueError" in str(line["error"])
    assert "ES9121000418450200051332" not in str(line["error"])


def test_the_text_format_shows_the_fields_after_the_message() -> None:
    text = TextFormatter().format(record("GET / 200", request_id="abc", tenant_id=None))
    assert text.endswith("GET / 200 request_id=abc")


def test_an_unknown_format_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="PRORATA_LOG_FORMAT must be one of text, json"):
        formatter("yaml")
