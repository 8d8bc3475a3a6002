"""How serving processes log: one line per record, as JSON (`PRORATA_LOG_FORMAT=json`, the container's
default) or as text for a person (`text`, the default elsewhere: `make run`).

Whatever the format, a line goes through `redact` (domain/redaction.py): it never shows an IBAN in clear
(masked as on receipts), a password or a key's secret, and a lone surrogate (a file name that was not
UTF-8) is written as its escape, so every JSON line is valid UTF-8 JSON."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from prorata.domain.redaction import redact
from prorata.entrypoints.broker_outage import BrokerOutageFilter

FORMATS = ("text", "json")
# What every LogRecord has; anything else on a record was passed in `extra` and is written as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "configure_logging", "formatter", "redact"]


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra` fields of a record (request id, route, job id…), in the order given."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """{"time", "level", "logger", "process", "message", …the record's fields, "error"?}: one line each."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "process": record.process,
            "message": redact(record.getMessage()),
        }
        for key, value in fields_of(record).items():
            line[key] = _clean(value)
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["error"] = redact(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value…`, for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in fields_of(record).items() if v is not None)
        if extras:
            first, newline, rest = text.partition("\n")
            text = f"{first} {extras}{newline}{rest}"
        return redact(text)


def formatter(kind: str) -> logging.Formatter:
    if kind not in FORMATS:
        raise ValueError(f"PRORATA_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {kind!r}")
    return JsonFormatter() if kind == "json" else TextFormatter()


def configure_logging(kind: str, level: int = logging.INFO) -> None:
    """One handler on the root logger, on stderr, in the chosen format (replacing any handler there)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(kind))
    handler.addFilter(BrokerOutageFilter())  # pika at WARNING; one warning per broker outage
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("pika").setLevel(logging.WARNING)  # a line per plugin, each start


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return redact(str(value))


def _utc(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"
