"""How deep a JSON text nests, measured without parsing it: strings (brackets, quotes and escapes in them)
never count."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.application.json_text import MAX_JSON_DEPTH, check_json, json_depth, read_json
from prorata.domain.problems import InvalidInput

TRICKY_TEXT = st.text(alphabet='[]{}"\\ab\n\u00e9\U0001f3e0', max_size=8)
VALUES = st.recursive(
    st.none() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=30,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@given(VALUES, st.booleans())
def test_the_measured_depth_is_the_values_depth(value: Any, ascii_only: bool) -> None:
    assert json_depth(json.dumps(value, ensure_ascii=ascii_only)) == depth(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [('{"a": "[[[", "b": [1]}', 2), ('["a\\"[[", "]"]', 1), ('[[["unterminated [[[', 3), ("", 0)],
)
def test_strings_never_count_even_broken_ones(text: str, expected: int) -> None:
    assert json_depth(text) == expected


def test_a_document_one_level_too_deep_is_refused_and_one_at_the_limit_read() -> None:
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert depth(read_json(at_limit)) == MAX_JSON_DEPTH
    with pytest.raises(InvalidInput) as raised:
        read_json("[" + at_limit + "]")
    assert [p.code for p in raised.value.problems] == ["invalid_request"]


LONG = "1" * (sys.get_int_max_str_digits() + 1)


@pytest.mark.parametrize("text", [LONG, f'{{"amount": {LONG}}}', f'[1, -{LONG}, "x"]'])
def test_an_integer_too_long_for_python_is_an_invalid_request_not_a_bare_value_error(text: str) -> None:
    for read in (read_json, check_json):
        with pytest.raises(InvalidInput) as raised:
            read(text)
        assert [(p.code, p.field) for p in raised.value.problems] == [("invalid_request", "(request)")]
        assert "digits" in raised.value.problems[0].message


def test_as_many_digits_in_a_string_or_as_a_decimal_number_are_read() -> None:
    assert read_json(f'{{"amount": "{LONG}"}}') == {"amount": LONG}
    assert read_json(f"[{LONG}.5, 1{LONG[:10]}, {LONG}e3]") == [
        float(f"{LONG}.5"),
        int(f"1{LONG[:10]}"),
        float("inf"),
    ]


# The bytes of a body (an API request, a file read) take a faster path than text; what they read as,
# and what is refused, must not differ.


@given(VALUES, st.booleans())
def test_bytes_read_as_the_same_value_as_the_text(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert read_json(text.encode()) == read_json(text) == value


@pytest.mark.parametrize(
    "text",
    [
        # Closing brackets in a string must not hide the depth of the arrays after it.
        '{"a": "' + "]" * 40 + '", "b": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}",
        '{"a": "\\\\", "b": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}",
        '["\\"]' + "]" * 40 + '", ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "]",
    ],
)
def test_bytes_nesting_too_deep_are_refused_whatever_strings_come_first(text: str) -> None:
    for read in (read_json, check_json):
        with pytest.raises(InvalidInput) as raised:
            read(text.encode())
        assert "levels deep" in raised.value.problems[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[123456789012345678901234567890, -18446744073709551616]",
            [123456789012345678901234567890, -(2**64)],
        ),
        ('{"a": "' + "[" * 40 + '"}', {"a": "[" * 40}),
        ('"\\ud83c\\udfe0 \\u00e9"', "\U0001f3e0 é"),
        ("[1e400, NaN]", None),
    ],
)
def test_bytes_keep_what_the_standard_parser_reads(text: str, expected: Any) -> None:
    value = read_json(text.encode())
    if expected is None:  # floats that are not numbers compare unequal to themselves
        assert repr(value) == repr(json.loads(text))
    else:
        assert value == expected
        assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("raw", "forbid_nul", "says"),
    [
        (b'{"a": "\\ud800"}', False, "surrogate"),
        (b'{"a": "\xed\xa0\x80"}', False, "surrogate"),
        ('{"a": "\ud800"}'.encode("utf-16-le", "surrogatepass"), False, "surrogate"),
        (b'{"a": "x\\u0000"}', True, "NUL"),
    ],
)
def test_bytes_holding_what_no_text_may_are_refused_naming_the_field(
    raw: bytes, forbid_nul: bool, says: str
) -> None:
    for read in (read_json, check_json):
        with pytest.raises(InvalidInput) as raised:
            read(raw, forbid_nul=forbid_nul)
        assert [p.field for p in raised.value.problems] == ["a"]
        assert says in raised.value.problems[0].message
