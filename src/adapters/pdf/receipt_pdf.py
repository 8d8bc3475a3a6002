"""The receipt as a PDF, laid out with borb (AGPL-3.0): what it is and what it costs at the top, then who
pays and how, the readings, every line of the calculation with its rate, the comparison with last year and
with the community, and the history; a footer on every page. Every word comes from the catalogue."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from prorata.adapters.pdf.blocks import (
    ACCENT,
    MARGIN,
    MUTED,
    RIGHT,
    SHADE,
    bar,
    cell,
    footer,
    forget_layouts,
    grid,
    para,
    room_of,
    section,
    stack,
    tables,
)
from prorata.adapters.pdf.borb_runtime import pdf_bytes
from prorata.domain.money import round_half_up
from prorata.domain.receipts.catalogue import Catalogue
from prorata.domain.receipts.document import Comparison, PaymentMethod, ReceiptDocument
from prorata.domain.receipts.lifecycle import ReceiptStatus

# isort: split
from borb.pdf import Document, HexColor, LayoutElement, Page, SingleColumnLayout

# Bump when the layout or a catalogue changes: PDFs kept under the old number are rendered again.
TEMPLATE_VERSION = 2
_RED = HexColor("#b3261e")
_STATUS_COLOURS = {
    ReceiptStatus.ISSUED: HexColor("#1f4e79"),
    ReceiptStatus.IN_COLLECTION: HexColor("#9a5b00"),
    ReceiptStatus.PAID: HexColor("#2e7d32"),
    ReceiptStatus.RETURNED: _RED,
    ReceiptStatus.CANCELLED: HexColor("#616161"),
    ReceiptStatus.SUPERSEDED: HexColor("#616161"),
}
_OTHER_BAR = HexColor("#9aa8b8")
_BAR_LENGTH = 230
_DASH = "—"
_TOP, _FACTS, _HALVES = [3, 2], [5, 4, 4, 4], [1, 1]
_METERS, _LINES, _BARS, _HISTORY = [6, 6, 6, 3, 4], [7, 4, 3, 4, 4, 4], [17, 25, 8], [3, 5, 5, 10]
# borb lays out with class-wide caches (blocks.forget_layouts): one document at a time per process.
_RENDERING = threading.Lock()


class BorbReceiptRenderer:
    template_version = TEMPLATE_VERSION

    def render(self, document: ReceiptDocument, text: Catalogue) -> bytes:
        with _RENDERING:
            try:
                pdf = Document()
                page = Page()
                pdf.append_page(page)
                layout = SingleColumnLayout(
                    page, margin_left=MARGIN, margin_right=MARGIN, margin_top=MARGIN, margin_bottom=48
                )
                for element in _sections(document, text):
                    layout.append_layout_element(element)
                h = document.header
                note = text("footer", number=h.number, community=h.community.name, currency=h.currency)
                footer(pdf, [note], lambda n, of: text("page", page=n, pages=of))
                return pdf_bytes(pdf)
            finally:
                forget_layouts()


def _sections(document: ReceiptDocument, t: Catalogue) -> Iterator[LayoutElement]:
    yield _top(document, t)
    yield _facts(document, t)
    yield _total(document, t)
    yield from _returned(document, t)
    yield _payment(document, t)
    yield from _meters(document, t)
    yield from _lines(document, t)
    if document.comparison is not None:
        yield from _comparison(document, document.comparison, t)
    yield from _history(document, t)


def _top(document: ReceiptDocument, t: Catalogue) -> LayoutElement:
    h = document.header
    community = h.community
    right = [para(community.name, 10, bold=True, align=RIGHT)]
    if community.address:
        right.append(para(community.address, 8, align=RIGHT))
    if community.tax_id:
        right.append(para(f"{t('tax_id')}: {community.tax_id}", 8, color=MUTED, align=RIGHT))
    left = stack(
        para(t("title"), 20, bold=True, color=ACCENT),
        para(f"{t('number')} {h.number}", 10, bold=True, room=room_of(_TOP, 0, 0)),
    )
    cells = [cell(left, rule=False, pad=0), cell(stack(*right), rule=False, pad=0)]
    return grid(_TOP, cells, border_color=ACCENT, border_width_bottom=2, padding_bottom=8)


def _label(label: str, value: str, room: int, colour: Any = None) -> LayoutElement:
    shown = para(value, 9, bold=True, room=room, **({"color": colour} if colour else {}))
    return stack(para(label, 7, color=MUTED, room=room), shown)


def _facts(document: ReceiptDocument, t: Catalogue) -> LayoutElement:
    h, f = document.header, t.formats
    coefficient = _DASH if h.unit.coefficient is None else f.number(h.unit.coefficient)
    area = _DASH if h.unit.area is None else t("area_value", value=f.number(h.unit.area))
    values = [
        (t("unit"), f"{h.unit.code} · {t.kind(h.unit.kind)}", None),
        (t("coefficient"), coefficient, None),
        (t("area"), area, None),
        (t("service"), t.service(h.service.value), None),
        (t("period"), _period(t, h.period.start, h.period.end), None),
        (t("issued_on"), _day(t, h.issued_on), None),
        (t("due_on"), _day(t, h.due_on), None),
        (t("status"), t.status(document.status_name), _STATUS_COLOURS[h.status]),
    ]
    cells = [
        cell(_label(label, value, room_of(_FACTS, i % 4, 5), colour), pad=5)
        for i, (label, value, colour) in enumerate(values)
    ]
    return grid(_FACTS, cells, margin_top=8)


def _total(document: ReceiptDocument, t: Catalogue) -> LayoutElement:
    h = document.header
    status = t.status(document.status_name)
    since = t("status_since", status=status, date=_day(t, h.status_on)) if h.status_on else status
    room = room_of(_TOP, 0, 7)
    left = stack(
        para(t("total_to_pay"), 9, color=MUTED, room=room),
        para(since, 11, bold=True, color=_STATUS_COLOURS[h.status], room=room),
    )
    amount = para(t.formats.money(h.total, h.currency), 20, bold=True, align=RIGHT, room=room_of(_TOP, 1, 7))
    cells = [cell(left, shade=SHADE, rule=False, pad=7), cell(amount, shade=SHADE, rule=False, pad=7)]
    return grid(_TOP, cells, margin_top=8)


def _returned(document: ReceiptDocument, t: Catalogue) -> Iterator[LayoutElement]:
    """What the bank said, in plain words, and what to do: while the receipt stands returned."""
    returned = document.last_return
    if returned is None or returned.reason is None:
        return
    reason = t.reason(returned.reason)
    said = "refunded_notice" if returned.refund else "returned_notice"
    notice = stack(
        para(t(said, meaning=f"{reason.meaning} ({reason.code})"), 9, bold=True, color=_RED),
        para(f"{t('what_to_do')}: {reason.todo}", 9),
        gap=3,
    )
    yield grid([1], [cell(notice, rule=False, pad=7)], border_color=_RED, border_width_left=3, margin_top=8)


def _payment(document: ReceiptDocument, t: Catalogue) -> LayoutElement:
    h, pay, f = document.header, document.payment, t.formats
    room = room_of(_HALVES, 0, 5)
    payer = _label(t("payer"), h.payer.name if h.payer else t("payer_unknown"), room)
    lines = [
        para(t("payment"), 7, color=MUTED, room=room),
        para(t.method(pay.method.value), 9, bold=True, room=room),
    ]
    if pay.method is PaymentMethod.DIRECT_DEBIT:
        lines.append(para(f"{t('iban')}: {pay.iban}", 8, room=room))
        if pay.mandate_reference:
            lines.append(para(f"{t('mandate')}: {pay.mandate_reference}", 8, room=room))
        if pay.debit_on is not None:
            lines.append(para(f"{t('debit_on')}: {f.date(pay.debit_on)}", 8, bold=True, room=room))
        elif h.status is ReceiptStatus.ISSUED:
            lines.append(para(t("debit_pending"), 8, color=MUTED))
    else:
        if h.payer is not None and h.payer.iban:
            lines.append(para(f"{t('iban')}: {h.payer.iban}", 8, room=room))
        if h.status in (ReceiptStatus.ISSUED, ReceiptStatus.RETURNED):
            lines.append(para(t("transfer_hint"), 8, color=MUTED))
    cells = [cell(payer, rule=False, pad=5), cell(stack(*lines), rule=False, pad=5)]
    return grid(_HALVES, cells, margin_top=6)


def _meters(document: ReceiptDocument, t: Catalogue) -> Iterator[LayoutElement]:
    if not document.meters:
        yield section(t("meters"), para(t("no_meters"), 8, color=MUTED))
        return
    f = t.formats
    rows: list[list[Any]] = []
    for meter in document.meters:
        if meter.estimated:
            rows.append([t("estimated_row"), _DASH, _DASH, _DASH, f"{f.number(meter.consumption)} *"])
            continue
        rows.append(
            [
                meter.serial or _DASH,
                _reading(t, meter.previous, meter.previous_on),
                _reading(t, meter.current, meter.current_on),
                f.number(meter.factor),
                f.number(meter.consumption) + (" *" if meter.rolled_over else ""),
            ]
        )
    header = [t("meter"), t("previous"), t("current"), t("factor"), t("consumption")]
    first, *rest = tables(_METERS, header, rows, right=frozenset({1, 2, 3, 4}))
    yield section(t("meters"), first)
    yield from rest
    notes = [t("factor_note")] if any(not m.estimated for m in document.meters) else []
    if any(m.estimated for m in document.meters):
        notes.append("* " + t("estimated_note"))
    if any(m.rolled_over for m in document.meters):
        notes.append("* " + t("rolled_over_note"))
    yield para(" ".join(notes), 7, color=MUTED, margin_top=2)


def _reading(t: Catalogue, value: Decimal | None, on: date | None) -> LayoutElement | str:
    if value is None:
        return _DASH
    room = room_of(_METERS, 1)
    shown = para(t.formats.number(value), 8, align=RIGHT, room=room)
    if on is None:
        return shown
    return stack(
        shown, para(t("reading_on", date=t.formats.date(on)), 7, color=MUTED, align=RIGHT, room=room)
    )


def _lines(document: ReceiptDocument, t: Catalogue) -> Iterator[LayoutElement]:
    f, currency = t.formats, document.header.currency
    room = room_of(_LINES, 0)
    rows = [
        [
            stack(
                para(line.concept, 8, bold=True, room=room),
                para(t.part(line.part), 7, color=MUTED, room=room),
            ),
            t.basis(line.basis),
            f.number(line.weight),
            _DASH if line.total_weight is None else f.number(line.total_weight),
            _DASH if line.rate is None else f.rate(line.rate, currency),
            f.money(line.amount, currency),
        ]
        for line in document.lines
    ]
    header = [t("concept"), t("basis"), t("weight"), t("total_weight"), t("rate"), t("amount")]
    total = [
        cell(para(t("total"), 10, bold=True, room=room), span=5, shade=SHADE),
        cell(
            para(f.money(document.total, currency), 10, bold=True, align=RIGHT, room=room_of(_LINES, 5)),
            shade=SHADE,
        ),
    ]
    first, *rest = tables(_LINES, header, rows, right=frozenset({2, 3, 4, 5}), last=total)
    yield section(t("lines"), first)
    yield from rest
    yield para(t("rate_note"), 7, color=MUTED, margin_top=2)


def _comparison(document: ReceiptDocument, c: Comparison, t: Catalogue) -> Iterator[LayoutElement]:
    """Bars drawn as shapes, and the same figures in words (EU Energy Efficiency Directive)."""
    f = t.formats
    shown = [(t("this_period"), c.consumption, ACCENT)]
    if c.last_year is not None:
        shown.append((t("last_year"), c.last_year, _OTHER_BAR))
    if c.average is not None and c.area is not None:
        shown.append((t("community_average", area=f.number(c.area)), c.average, _OTHER_BAR))
    top = max(value for _, value, _ in shown)
    cells = []
    for label, value, colour in shown:
        length = 0 if top <= 0 else int(round_half_up(value / top * _BAR_LENGTH, 0))
        cells += [
            cell(para(label, 8, room=room_of(_BARS, 0, 3)), rule=False, pad=3),
            cell(bar(length, 11, colour), rule=False, pad=3),
            cell(
                para(f.number(value), 8, bold=True, align=RIGHT, room=room_of(_BARS, 2, 3)), rule=False, pad=3
            ),
        ]
    yield section(t("comparison"), grid(_BARS, cells))
    period = _period(t, document.header.period.start, document.header.period.end)
    this = t("words_this", period=period, value=f.number(c.consumption))
    words = [this[:-1] + f" ({t('estimated')})." if c.estimated else this]
    if c.last_year is not None:
        earlier = _period(t, c.last_year_period.start, c.last_year_period.end)
        change = _change(t, c.change_from_last_year)
        words.append(t("words_last_year", period=earlier, value=f.number(c.last_year), change=change))
    else:
        words.append(t("words_no_last_year"))
    if c.average is not None and c.area is not None:
        change = _change(t, c.change_from_average)
        words.append(t("words_average", area=f.number(c.area), value=f.number(c.average), change=change))
    else:
        words.append(t("words_no_average"))
    yield para(" ".join(words), 8, margin_top=4)


def _change(t: Catalogue, change: Decimal | None) -> str:
    if change is None or round_half_up(change, 0) == 0:
        return t("change_same")
    key = "change_more" if change > 0 else "change_less"
    return t(key, percent=t.formats.percent(change))


def _history(document: ReceiptDocument, t: Catalogue) -> Iterator[LayoutElement]:
    if not document.history:
        return
    rows = []
    room = room_of(_HISTORY, 3)
    for entry in document.history:
        details: list[LayoutElement] = []
        if entry.reason is not None:
            reason = t.reason(entry.reason)
            details.append(para(f"{reason.code}: {reason.meaning}", 8, room=room))
            details.append(para(f"{t('what_to_do')}: {reason.todo}", 7, color=MUTED, room=room))
        if entry.note:
            details.append(para(t.note(entry.note), 7, color=MUTED, room=room))
        rows.append(
            [
                t.formats.date(entry.on),
                t.event(entry.event_name),
                t.status(entry.status_name),
                stack(*details) if details else _DASH,
            ]
        )
    first, *rest = tables(_HISTORY, [t("date"), t("event"), t("status"), t("reason")], rows)
    yield section(t("history"), first)
    yield from rest


def _period(t: Catalogue, start: date, end: date) -> str:
    return t("period_range", start=t.formats.date(start), end=t.formats.date(end))


def _day(t: Catalogue, day: date | None) -> str:
    return _DASH if day is None else t.formats.date(day)
