"""JSON text from outside (an API body, `prorata simulate`'s request and mapping), checked before anything
parses it: nesting past `MAX_JSON_DEPTH` would exhaust the recursion of the parser or of any code walking
the value, a lone UTF-16 surrogate (`"\\ud800"`, which JSON's escapes allow) is no text any database,
encoder or terminal takes, and an integer of more digits than Python turns into an int (4,300: its guard
against quadratic conversion) makes the parser raise a bare ValueError. All are the sender's mistake, so
all are `invalid_request`."""

from __future__ import annotations

import json
import re
import sys
from array import array
from collections.abc import Iterator
from itertools import accumulate

import orjson

from prorata.domain.problems import ErrorCode, InvalidInput, Problem

# The contract's deepest document (units → readings → a reading, costs → tariff blocks) nests 5 levels.
MAX_JSON_DEPTH = 32
# A request naming this many bad fields has said enough.
_MAX_PROBLEMS = 100
# A string, escapes and all, up to its closing quote — or to the end of an unterminated one: possessive
# and anchored so that every quote starts a match and no text is scanned twice.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\Z)', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
# Each bracket as a signed byte, +1 opening and -1 closing, so that the running sum is the depth.
_STEPS = str.maketrans("[{]}", "\x01\x01\xff\xff")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_OR_NUL = re.compile("[\ud800-\udfff\x00]")
# In the text: a surrogate decoded from bytes, or a surrogate's escape (a lone one, or half of a pair).
_SUSPECT = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")
_SUSPECT_NUL = re.compile(r"[\ud800-\udfff\x00]|\\u[dD][89a-fA-F]|\\u0000")


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in the JSON text (brackets inside strings aside), without parsing
    it; the text need not be valid JSON."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    steps = array("b", brackets.translate(_STEPS).encode("latin-1"))
    return max(accumulate(steps), default=0)


def read_json(raw: str | bytes, what: str = "the request", *, forbid_nul: bool = False) -> object:
    """The value of a JSON text (bytes in UTF-8, -16 or -32, as JSON allows). Raises InvalidInput
    (`invalid_request`) for nesting past MAX_JSON_DEPTH, for an integer too long to read, or for a lone
    surrogate (and, with `forbid_nul`, a NUL character) naming each field that holds one; ValueError for
    text that is not JSON, its message saying where."""
    if isinstance(raw, bytes) and _plainly_fine(raw, forbid_nul):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # refused, or not JSON: the standard parser's path below says why, in its words
    text = _decoded(raw)
    _refuse_deep(text, what)
    _refuse_long_integers(text, what)
    value = json.loads(text)
    if _suspect(text, forbid_nul):
        _refuse_not_text(value, forbid_nul)
    return value


def check_json(raw: str | bytes, what: str = "the request", *, forbid_nul: bool = False) -> None:
    """Raises as `read_json` does, but parses the text only when it may hold what is refused: for a
    caller that parses it again anyway."""
    if isinstance(raw, bytes) and _plainly_fine(raw, forbid_nul) and not _surrogate_bytes(raw):
        return
    text = _decoded(raw)
    _refuse_deep(text, what)
    _refuse_long_integers(text, what)
    if _suspect(text, forbid_nul):
        _refuse_not_text(json.loads(text), forbid_nul)


# The fast path (`_plainly_fine`): a few passes of C over the bytes, where the checks below walk a large
# body's text with regular expressions (0.6 s for a 3.7 MB request, against 0.06 s for orjson's parse).
_KEEP_BRACKETS_AND_QUOTES = bytes(b for b in range(256) if b not in b'[]{}"')
_DIGIT_AS_ONE = bytes.maketrans(b"0123456789", b"1" * 10)
# orjson reads an integer of 20 digits or more as a float, where the standard parser keeps it exact.
_LONG_DIGIT_RUN = b"1" * 20
_STEP_BYTES = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]|\\u[dD][89a-fA-F]")


def _plainly_fine(raw: bytes, forbid_nul: bool) -> bool:
    """Whether the JSON bytes surely hold nothing refused and nothing orjson reads otherwise than the
    standard parser: nesting within MAX_JSON_DEPTH, no run of 20 digits (in a string or not), no NUL's
    escape. orjson itself refuses lone surrogates, a BOM, UTF-16 and NaN. False is not a verdict: the
    caller then takes the standard path, which tells exactly."""
    if json.detect_encoding(raw[:4]) != "utf-8":
        return False
    if raw.translate(_DIGIT_AS_ONE).find(_LONG_DIGIT_RUN) >= 0:
        return False
    if forbid_nul and (b"\\u0000" in raw or b"\x00" in raw):
        return False
    # Structure only: escaped backslashes and quotes go first, then every other byte but brackets and
    # quotes; a string without brackets is then two quotes side by side, and goes too. A quote left
    # means a string holds a bracket: inconclusive. Otherwise only structural brackets are left.
    skeleton = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _KEEP_BRACKETS_AND_QUOTES)
    skeleton = skeleton.replace(b'""', b"")
    if b'"' in skeleton:
        return False
    steps = array("b", skeleton.translate(_STEP_BYTES))
    return max(accumulate(steps), default=0) <= MAX_JSON_DEPTH


def _surrogate_bytes(raw: bytes) -> bool:
    """Whether the bytes hold a surrogate encoded as UTF-8, or a surrogate's escape (half a pair too)."""
    return (b"\xed" in raw or b"\\u" in raw) and _SURROGATE_BYTES.search(raw) is not None


def _decoded(raw: str | bytes) -> str:
    # As json.loads decodes bytes: surrogates encoded as bytes come through, and are refused below.
    return raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")


def _refuse_deep(text: str, what: str) -> None:
    # Counting first is a few C passes: only a text with that many brackets needs its depth measured.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
        why = f"{what} nests arrays and objects more than {MAX_JSON_DEPTH} levels deep"
        raise InvalidInput([Problem(ErrorCode.INVALID_REQUEST, why, field="(request)")])


def _refuse_long_integers(text: str, what: str) -> None:
    most = sys.get_int_max_str_digits()
    if not most or len(text) <= most:
        return
    # Only where a run of digits starts (the lookbehinds): a search from every digit would be quadratic.
    # Only a run outside strings is a number, and only an integer one: `1…1.5`, `1…1e3` or an exponent's
    # digits are read as a float, whatever their length.
    run = re.compile(rf"(?<![0-9.eE])(?<![eE][+-])[0-9]{{{most + 1},}}(?![0-9.eE])")
    if run.search(text) and run.search(_STRING.sub('""', text)):
        why = f"{what} holds an integer of more than {most} digits"
        raise InvalidInput([Problem(ErrorCode.INVALID_REQUEST, why, field="(request)")])


def _suspect(text: str, forbid_nul: bool) -> bool:
    """Whether the text holds a surrogate, its escape (or, with `forbid_nul`, a NUL or its escape): walking
    every string of a large body costs seconds, and a text without one cannot hold what is refused."""
    return (_SUSPECT_NUL if forbid_nul else _SUSPECT).search(text) is not None


def _refuse_not_text(value: object, forbid_nul: bool) -> None:
    problems = not_text(value, forbid_nul)
    if problems:
        raise InvalidInput(problems)


def not_text(value: object, forbid_nul: bool = False) -> list[Problem]:
    """An `invalid_request` for each string or field name of a parsed JSON value that holds a lone UTF-16
    surrogate (or, with `forbid_nul`, a NUL character), in the document's order."""
    problems = []
    bad = _SURROGATE_OR_NUL if forbid_nul else _SURROGATE
    for path, text in strings(value):
        found = bad.search(text)
        if found is None:
            continue
        if found.group() == "\x00":
            why = "must not contain NUL characters"
        else:
            why = f"is not valid text: it holds a lone UTF-16 surrogate ({_escaped(found.group())})"
        problems.append(Problem(ErrorCode.INVALID_REQUEST, f"{path} {why}", field=path))
        if len(problems) == _MAX_PROBLEMS:
            break
    return problems


def strings(value: object) -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON value, field names included, with its path (`costs[0].concept`; a
    field name's path is the field's), in the document's order. Iterative: no depth exhausts it."""
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            yield path or "(request)", item
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                name = str(key)
                where = f"{path}.{_escaped(name)}" if path else _escaped(name)
                pending.append((where, child))
                pending.append((where, name))
        elif isinstance(item, list):
            pending.extend((f"{path}[{i}]", child) for i, child in reversed(list(enumerate(item))))


def _escaped(text: str) -> str:
    """The text with any lone surrogate written as its escape, so that the name can be shown."""
    return text.encode("utf-8", "backslashreplace").decode() if _SURROGATE.search(text) else text
