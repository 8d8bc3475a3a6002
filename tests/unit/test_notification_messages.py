"""What a resident reads: in her language, the amount and dates written as her receipt writes them."""

from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources

import pytest

from prorata.domain.notifications.messages import News, compose, localized
from prorata.domain.notifications.model import NotificationKind
from prorata.domain.receipts.catalogue import LANGUAGES

NBSP = "\u00a0"


def news(kind: NotificationKind, **changes: object) -> News:
    values: dict[str, object] = {
        "kind": kind,
        "number": "C0012-00001-0001",
        "community": "CP Calle Mayor 12",
        "service": "heating",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 3, 31),
        "total_cents": 123456,
        "currency": "EUR",
        "on": date(2026, 4, 20),
        "due_on": date(2026, 4, 16),
        **changes,
    }
    return News(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "amount", "due"),
    [
        ("es", f"1.234,56{NBSP}€", "16/04/2026"),
        ("ca", f"1.234,56{NBSP}€", "16/04/2026"),
        ("fr", f"1{NBSP}234,56{NBSP}€", "16/04/2026"),
        ("en", "€1,234.56", "16 Apr 2026"),
    ],
)
def test_an_issue_says_the_amount_period_and_due_date_in_the_language(
    language: str, amount: str, due: str
) -> None:
    message = compose(language, news(NotificationKind.ISSUED))
    assert amount in message.heading
    assert amount in message.content
    assert due in message.content
    assert "C0012-00001-0001" in message.content
    assert "2026" in message.content.split(amount)[0]  # the period comes before the amount


def test_a_collection_is_the_sepa_prenotification_amount_debit_date_mandate_and_creditor() -> None:
    collecting = news(
        NotificationKind.SENT_FOR_COLLECTION,
        on=date(2026, 4, 14),
        debit_on=date(2026, 4, 20),
        mandate="M-0042",
        creditor="ES97000B12345678",
        account="ES91 **** 1332",
    )
    message = compose("es", collecting)
    assert message.heading == f"Cargo de 1.234,56{NBSP}€ el 20/04/2026"
    for fact in ("el 20/04/2026", "M-0042", "ES97000B12345678", "ES91 **** 1332", f"1.234,56{NBSP}€"):
        assert fact in message.content
    assert "14/04/2026" not in message.content


def test_a_collection_without_a_known_debit_date_says_when_it_was_presented() -> None:
    message = compose("es", news(NotificationKind.SENT_FOR_COLLECTION, mandate="M-0042"))
    assert message.heading == f"Recibo al cobro: 1.234,56{NBSP}€"
    assert "se presentó al cobro el 20/04/2026" in message.content
    assert "M-0042" in message.content


def test_a_collection_without_a_mandate_or_creditor_leaves_them_out() -> None:
    message = compose("en", news(NotificationKind.SENT_FOR_COLLECTION, debit_on=date(2026, 4, 24)))
    assert "Mandate" not in message.content
    assert "Creditor" not in message.content
    assert "on 24 Apr 2026" in message.content


def test_a_return_says_why_in_plain_words_and_what_to_do() -> None:
    message = compose("es", news(NotificationKind.RETURNED, reason="AM04"))
    assert "no había saldo suficiente" in message.content
    assert "transferencia" in message.content
    english = compose("en", news(NotificationKind.RETURNED, reason="AM04"))
    assert "not enough money" in english.content


def test_a_return_with_an_unknown_code_or_none_still_says_something_useful() -> None:
    assert "ZZ99" in compose("fr", news(NotificationKind.RETURNED, reason="ZZ99")).content
    assert "no indicó el motivo" in compose("es", news(NotificationKind.RETURNED)).content


def test_every_language_is_sent_hers_first_and_english_always() -> None:
    headings, contents = localized("ca", news(NotificationKind.PAID))
    assert next(iter(contents)) == "ca"
    assert set(contents) == set(LANGUAGES) == set(headings)
    assert "pagat" in contents["ca"]
    assert "paid" in contents["en"]
    assert next(iter(localized("de", news(NotificationKind.PAID))[1])) == "es"  # no catalogue: Spanish


@pytest.mark.parametrize("kind", list(NotificationKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_reads_in_every_language_with_nothing_left_unfilled(
    kind: NotificationKind, language: str
) -> None:
    facts = {"reason": "MD06", "mandate": "M-1", "creditor": "ES97000B12345678", "account": "x"}
    for debit_on in (None, date(2026, 4, 24)):
        message = compose(language, news(kind, debit_on=debit_on, **facts))
        assert message.heading
        assert message.content
        assert not re.search(r"[{}]", message.heading + message.content)


def test_the_catalogues_have_the_same_entries_and_placeholders() -> None:
    def shape(language: str) -> dict[str, object]:
        raw = (
            resources.files("prorata.domain.notifications")
            .joinpath(f"text/{language}.json")
            .read_text("utf-8")
        )
        entries = json.loads(raw)
        del entries["language"]
        # {of_service} is {service} with the language's "of" (Catalan elides it): the same value.
        return {
            kind: {
                name: sorted(re.findall(r"{(\w+)}", json.dumps(text).replace("{of_service}", "{service}")))
                for name, text in entry.items()
            }
            for kind, entry in entries.items()
        }

    assert all(shape(language) == shape("es") for language in LANGUAGES)


@pytest.mark.parametrize(
    ("language", "service", "heading"),
    [
        ("ca", "cold_water", f"Rebut d'aigua freda: 1.234,56{NBSP}€"),
        ("ca", "heating", f"Rebut de calefacció: 1.234,56{NBSP}€"),
        ("ca", "hot_water", f"Rebut d'aigua calenta: 1.234,56{NBSP}€"),
        ("es", "cold_water", f"Recibo de agua fría: 1.234,56{NBSP}€"),
        ("fr", "heating", f"Relevé de charges (chauffage) : 1{NBSP}234,56{NBSP}€"),
        ("en", "cold_water", "Cold water receipt: €1,234.56"),
    ],
)
def test_a_service_mid_sentence_is_written_as_a_word_of_the_sentence(
    language: str, service: str, heading: str
) -> None:
    """Found trying the demo: "Rebut de Aigua freda" (Catalan elides "de" before a vowel; a service
    named mid-sentence takes no capital), "Recibo de Agua fría"."""
    message = compose(language, news(NotificationKind.ISSUED, service=service))
    assert message.heading == heading
    assert message.content[0].isupper()
