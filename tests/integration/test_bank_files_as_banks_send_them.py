"""Bank files as real banks lay them out, through `POST /v1/bank-returns`, against remittances made
through the API: a Spanish bank's status report however its bytes come (prefixes, one line, CRLF, a
byte-order mark, ISO-8859-1, newer and German versions); the creditor's other remittances and other
tenants' receipts never moved; collections booked in one sum paid only when the sum is theirs; returns,
refunds and the account's other movements; corrected copies applied once; and the files no bank
report is, refused saying what they are."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from prorata.domain.receipts.catalogue import catalogue
from tests.api_client import Caller, key_for, new_tenant
from tests.bank_samples import (
    Booked,
    Booking,
    Debit,
    bom,
    camt054,
    crlf,
    latin1,
    one_line,
    prefixed,
    spanish_pain002,
)
from tests.integration.test_api_settlement_flow import community_tenant
from tests.integration.test_bank_returns import applied, at_the_bank, send
from tests.integration.test_remittances import collecting, history, remitted, status_of
from tests.pdf_text import flowing, pdf_text

ROSA, JORDI = "540.00", "385.00"


def numbers(receipts: dict[str, Any]) -> tuple[str, str]:
    return receipts["1A"]["number"], receipts["1B"]["number"]


def said(result: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """What a file did, by receipt number: applied (outcome, reason), ignored (why), unknown."""
    return {
        "applied": sorted((a["end_to_end_id"], a["outcome"], a["reason"]) for a in result["applied"]),
        "ignored": sorted((i["end_to_end_id"], i["why"]) for i in result["ignored"]),
        "unknown": sorted((u["end_to_end_id"],) for u in result["unknown"]),
    }


def test_a_spanish_banks_status_report_is_read_however_its_bytes_are_laid_out(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    report = spanish_pain002(
        remittance["message_id"],
        [
            Debit(rosa, ROSA, reason="AM04", information="Saldo insuficiente, devolución nº 7"),
            Debit(jordi, JORDI, payer="Jordi Puig Pañella", status="ACSC", mandate="M-2"),
        ],
        collection_date=remittance["collection_date"],
    )
    first = applied(manager, latin1(one_line(report)))  # ISO-8859-1, accents and all, on one line
    assert first["format"] == "pain.002.001.03"
    assert said(first)["applied"] == [(rosa, "returned", "AM04")]
    assert [i["end_to_end_id"] for i in first["ignored"]] == [jordi]  # accepted: nothing to do yet
    assert "Saldo insuficiente, devolución nº 7" in history(manager, receipts["1A"])[-1]["note"]
    for content, format in (
        (bom(b"\n  " + crlf(prefixed(report)).encode()), "pain.002.001.03"),  # BOM, blank, ns2:, CRLF
        (report.replace("pain.002.001.03", "pain.002.001.10").encode(), "pain.002.001.10"),
        (b"\r\n" + prefixed(report.replace("001.03", "003.03"), "p").encode(), "pain.002.003.03"),  # DK
        (report.replace('"UTF-8"', '"UTF-16"').encode("utf-16"), "pain.002.001.03"),
    ):
        again = applied(manager, content)
        assert again["format"] == format
        assert again["applied"] == again["unknown"] == []
        assert [(i["end_to_end_id"], i["receipt_id"]) for i in again["ignored"]] == [
            (rosa, receipts["1A"]["id"]),
            (jordi, receipts["1B"]["id"]),
        ]
    assert (status_of(manager, receipts["1A"]), status_of(manager, receipts["1B"])) == (
        "returned", "in_collection",
    )  # fmt: skip


def test_a_report_on_another_message_or_another_remittances_receipt_moves_nothing(
    app: Any, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    rosa, jordi = numbers(receipts)
    first = remitted(manager, community, receipt_ids=[receipts["1A"]["id"]])
    second = remitted(manager, community, receipt_ids=[receipts["1B"]["id"]])
    day = first["collection_date"]
    for message, number, amount in (
        ("OLDSOFT-2026-11", rosa, ROSA),  # the manager's former software's remittance
        (first["message_id"], jordi, JORDI),  # our remittance, but a receipt it does not hold
    ):
        report = spanish_pain002(message, [Debit(number, amount, reason="AC04")], collection_date=day)
        result = applied(manager, report.encode())
        assert (result["applied"], said(result)["unknown"]) == ([], [(number,)])
    # A transaction listed without its EndToEndId is one transaction, not the whole block.
    unnamed = spanish_pain002(first["message_id"], [Debit(rosa, ROSA, reason="AC04")], collection_date=day)
    unnamed = re.sub(r"<Orgnl(Instr|EndToEnd)Id>[^<]*</Orgnl(Instr|EndToEnd)Id>", "", unnamed)
    assert applied(manager, unnamed.encode())["applied"] == []
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["in_collection", "in_collection"]

    # Another tenant's community has the same code, so its receipts have the same numbers: its file
    # naming this tenant's remittance moves none of its receipts, nor any of this tenant's.
    other = Caller(app.test_client(), key_for(components, Role.MANAGER, new_tenant(components, "Otra")))
    theirs_community = other.created("/v1/communities", {"code": "C0012", "name": "CP Otra"})
    theirs = collecting(other, theirs_community)
    remitted(other, theirs_community)
    assert theirs["1B"]["number"] == jordi
    crossing = spanish_pain002(
        second["message_id"], [Debit(jordi, JORDI, reason="AM04")], collection_date=day
    )
    result = applied(other, crossing.encode())
    assert (result["applied"], said(result)["unknown"]) == ([], [(jordi,)])
    assert (status_of(other, theirs["1B"]), status_of(manager, receipts["1B"])) == (
        "in_collection", "in_collection",
    )  # fmt: skip

    # The bank upper-cased the message id and padded and lower-cased the receipt number: still ours.
    shouting = spanish_pain002(
        second["message_id"].upper(),
        [Debit(f"  {jordi.lower()} ", JORDI, reason="AM04")],
        collection_date=day,
    )
    result = applied(manager, shouting.encode())
    assert said(result)["applied"] == [(jordi, "returned", "AM04")]
    assert status_of(other, theirs["1B"]) == "in_collection"


def test_a_collection_booked_in_one_sum_pays_its_receipts_only_when_the_sum_is_theirs(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    message = remittance["message_id"]
    # A Spanish bank credits the remittance as one sum: 540.00 of the 925.00 sent, one transaction of
    # two — which one, it does not say (the other was rejected, in a report not received yet).
    one_of_two = Booking("540.00", booked=f"{date.today()}T00:00:00+01:00", batch_message=message,
                         batch_count=1, batch_total="540.00")  # fmt: skip
    waiting = applied(manager, camt054("08", [one_of_two], "ABONO-1").encode())
    assert waiting["applied"] == []
    assert [("540.00" in i["why"] and "925.00" in i["why"]) for i in waiting["ignored"]] == [True]
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["in_collection", "in_collection"]

    rejected = spanish_pain002(
        message, [Debit(jordi, JORDI, reason="MS03")], collection_date=remittance["collection_date"]
    )
    assert said(applied(manager, rejected.encode()))["applied"] == [(jordi, "returned", "MS03")]
    # The same credit, sent again once the rejection is known — the bank's portal naming the batch by
    # a MsgId of its own, and ours as the block's id: now the sum is Rosa's.
    again = replace(one_of_two, batch_message="CAIXA-ABONO-000077", batch_block=f"{message}-FRST")
    booked = applied(manager, camt054("08", [again], "ABONO-1-BIS").encode())
    assert said(booked)["applied"] == [(rosa, "paid", None)]


def test_a_german_banks_resolved_collection_pays_each_listed_receipt_and_nothing_else(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    block = f"{remittance['message_id']}-FRST"
    resolved = Booking(
        "925.00", batch_block=block, batch_count=2, batch_total="925.00",
        details=(Booked(rosa, ROSA), Booked(jordi, JORDI, payer="Jordi Puig")),
    )  # fmt: skip
    pending = Booking(ROSA, status="PDNG", details=(Booked(rosa, ROSA),))
    informed = Booking(JORDI, status="INFO", details=(Booked(jordi, JORDI),))
    no_reference = Booking(
        "12.00", family="RCDT", sub_family="ESCT", details=(Booked("NOTPROVIDED", "12.00"),)
    )
    result = applied(manager, prefixed(camt054("04", [pending, informed, no_reference, resolved])).encode())
    assert result["format"] == "camt.054.001.04"
    assert said(result)["applied"] == [(rosa, "paid", None), (jordi, "paid", None)]
    assert sorted(i["end_to_end_id"] for i in result["ignored"]) == [rosa, jordi]  # not booked (yet)
    assert result["unknown"] == []
    assert manager.get(f"/v1/remittances/{remittance['id']}").get_json()["status"] == "closed"


def test_returns_refunds_and_the_accounts_other_movements(manager: Caller, community: dict[str, Any]) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    message = remittance["message_id"]
    collected = Booking("925.00", batch_message=message, batch_count=2, batch_total="925.00")
    assert len(applied(manager, camt054("02", [collected]).encode())["applied"]) == 2

    # The account's other movements quoting a receipt's number are no collection: the community
    # refunds Rosa by transfer, Jordi pays again by transfer, the bank charges a fee.
    movements = [
        Booking(ROSA, credit=False, family="ICDT", sub_family="ESCT", details=(Booked(rosa, ROSA),)),
        Booking(JORDI, family="RCDT", sub_family="ESCT", details=(Booked(jordi, JORDI),)),
        Booking(
            "2.50",
            credit=False,
            domain="ACMT",
            family="MDOP",
            sub_family="CHRG",
            details=(Booked(jordi, "2.50"),),
        ),
    ]
    result = applied(manager, camt054("08", movements, "MOVS-1").encode())
    assert (result["applied"], result["unknown"]) == ([], [])
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["paid", "paid"]

    # Weeks later: Rosa asks her bank for a refund (MD06); Jordi's collection is reversed (AM04).
    refund = Booking(ROSA, credit=False, sub_family="UPDD", details=(Booked(rosa, ROSA, "MD06"),))
    reversed_ = Booking(
        JORDI, credit=False, reversal=True, sub_family="UPDD", details=(Booked(jordi, JORDI, "AM04"),)
    )
    credit_reversal = Booking(
        JORDI, credit=True, reversal=True, sub_family="UPDD", details=(Booked(jordi, JORDI),)
    )
    result = applied(manager, crlf(camt054("08", [refund, reversed_], "RUECK-1")).encode())
    assert said(result)["applied"] == [(rosa, "returned", "MD06"), (jordi, "returned", "AM04")]
    assert [e["reason"] for e in history(manager, receipts["1A"])][-2:] == [None, "MD06"]
    # A credit reversing a debit is no return: Jordi's receipt is not returned again.
    result = applied(manager, camt054("06", [credit_reversal], "STORNO-1").encode())
    assert result["applied"] == []
    assert [e["type"] for e in history(manager, receipts["1B"])].count("returned") == 1


def test_the_same_transactions_in_another_file_move_nothing_again(
    manager: Caller, community: dict[str, Any]
) -> None:
    receipts, _ = at_the_bank(manager, community)
    rosa, _ = numbers(receipts)
    # A return that names no message id, only the receipt's number (EndToEndId).
    returned = Booking(ROSA, credit=False, sub_family="UPDD", details=(Booked(rosa, ROSA, "AM04"),))
    notification = camt054("02", [returned], "DEV-0001")
    first = applied(manager, notification.encode())
    assert said(first)["applied"] == [(rosa, "returned", "AM04")]
    again = send(manager, notification.encode())
    assert (again.status_code, again.get_json()) == (200, first)
    corrected = one_line(camt054("02", [returned], "DEV-0001-CORR"))  # the bank sends it again
    assert applied(manager, corrected.encode())["applied"] == []

    # Rosa's receipt is presented again; yet another copy of the old return must leave it at the bank.
    represented = remitted(manager, community, receipt_ids=[receipts["1A"]["id"]])
    copy = applied(manager, camt054("08", [returned], "DEV-0001-COPIA").encode())
    assert copy["applied"] == []
    assert status_of(manager, receipts["1A"]) == "in_collection"
    detail = manager.get(f"/v1/remittances/{represented['id']}").get_json()
    assert [i["at_bank"] for i in detail["items"]] == [True]

    # Its own outcome still comes: booked on the new collection date, then returned weeks later.
    day = represented["collection_date"]
    booked = Booking(ROSA, booked=day, details=(Booked(rosa, ROSA, message_id=represented["message_id"]),))
    assert said(applied(manager, camt054("08", [booked], "ABONO-2").encode()))["applied"] == [
        (rosa, "paid", None)
    ]
    later = (date.fromisoformat(day) + timedelta(days=20)).isoformat()
    refund = Booking(
        ROSA, credit=False, booked=later, sub_family="UPDD", details=(Booked(rosa, ROSA, "MD06"),)
    )
    assert said(applied(manager, camt054("08", [refund], "DEV-0002").encode()))["applied"] == [
        (rosa, "returned", "MD06")
    ]


def test_files_that_are_no_bank_report_are_refused_saying_what_they_are_and_kept(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    ours = manager.get(remittance["file_url"]).get_data()
    statement = camt054("02", []).replace("camt.054.001.02", "camt.053.001.02")
    statement = statement.replace("BkToCstmrDbtCdtNtfctn", "BkToCstmrStmt").replace("Ntfctn", "Stmt")
    deep = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>'
    deep += b"<GrpHdr>" * 5000 + b"</GrpHdr>" * 5000 + b"</CstmrPmtStsRpt></Document>"
    norma43 = b"11210004184502000513322611302611302000000000000000000000000000000000CP CALLE MAYOR 12"
    for content, words in (
        (statement.encode(), ["camt.053.001.02", "statement", "camt.054"]),
        (ours, ["pain.008.001.02", "remittance"]),
        (deep, ["nested"]),
        (norma43, ["not XML"]),
        (b"<html><body>Sesi\xc3\xb3n caducada</body></html>", ["html"]),
        (b"", ["empty"]),
    ):
        refused = send(manager, content)
        assert refused.status_code == 422, refused.get_json()
        message = refused.get_json()["errors"][0]["message"]
        assert all(w in message for w in words), message
    kept = manager.get("/v1/bank-returns").get_json()
    assert [k["status"] for k in kept] == ["refused"] * 6
    # Beyond the upload limit (PRORATA_MAX_BODY_BYTES), the request itself is refused, unread.
    huge = send(manager, b"<" + b" " * components.settings.max_body_bytes)
    assert (huge.status_code, huge.get_json()["errors"][0]["code"]) == (413, "payload_too_large")
    assert [status_of(manager, receipts[u]) for u in ("1A", "1B")] == ["in_collection", "in_collection"]


def test_a_large_notification_is_applied_in_a_few_queries(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    others = tuple(Booked(f"C0099-00001-{i:04d}", "10.00") for i in range(1500))
    bulk = Booking("15925.00", batch_message=remittance["message_id"],
                   details=(*others, Booked(rosa, ROSA), Booked(jordi, JORDI)))  # fmt: skip
    content = camt054("08", [bulk]).encode()
    statements: list[str] = []

    def executed(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(components.engine, "before_cursor_execute", executed)
    try:
        result = applied(manager, content)
    finally:
        event.remove(components.engine, "before_cursor_execute", executed)
    assert said(result)["applied"] == [(rosa, "paid", None), (jordi, "paid", None)]
    assert len(result["unknown"]) == 1500
    assert len(statements) < 60, len(statements)  # not one a transaction


def test_a_returns_reason_is_told_in_the_residents_language_on_the_receipt_and_its_pdf(
    app: Any, components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts, remittance = at_the_bank(manager, community)
    rosa, jordi = numbers(receipts)
    report = spanish_pain002(
        remittance["message_id"],
        [Debit(rosa, ROSA, reason="SL12"), Debit(jordi, JORDI, reason="XT99", mandate="M-2")],
        collection_date=remittance["collection_date"],
    )
    applied(manager, report.encode())
    for language, unit, code in (("ca", "1A", "SL12"), ("en", "1B", "XT99")):  # XT99: no words of its own
        words = catalogue(language).reason(code)
        assert (code in words.meaning) is (code == "XT99")  # SL12 (creditor blocked) has words of its own
        pdf = manager.get(f"/v1/receipts/{receipts[unit]['id']}/pdf?lang={language}")
        assert pdf.status_code == 200
        text = flowing(pdf_text(pdf.get_data()))
        assert all(flowing(said) in text for said in (words.meaning, words.todo, code)), (language, code)
        # And in the receipt's history as data, for a management system's screen…
        returned = manager.get(f"/v1/receipts/{receipts[unit]['id']}/events?lang={language}").get_json()[-1]
        assert (returned["reason"], returned["reason_text"]) == (
            code, {"language": language, "meaning": words.meaning, "todo": words.todo},
        )  # fmt: skip
    # … and for the resident's own app, in her language.
    residents = {r["name"]: r for r in manager.get("/v1/residents").get_json()}
    rosa_id = residents["Rosa Díaz"]["id"]
    assert manager.patch(f"/v1/residents/{rosa_id}", {"language": "fr"}).status_code == 200
    own = Caller(
        app.test_client(),
        key_for(components, Role.RESIDENT, community_tenant(components, community), rosa_id),
    )
    mine = own.get(f"/v1/me/receipts/{receipts['1A']['id']}").get_json()["history"]
    words = catalogue("fr").reason("SL12")
    assert mine[-1]["reason_text"] == {"language": "fr", "meaning": words.meaning, "todo": words.todo}
    assert [e["reason_text"] for e in mine[:-1]] == [None] * (len(mine) - 1)
