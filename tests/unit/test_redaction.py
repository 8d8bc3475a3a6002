"""Text that leaves prorata — a log line, a reason an upstream gave that the API serves — never shows an
IBAN in clear (masked as on receipts), a password in a URL, an API key's or a webhook's secret, or a
credential of an Authorization header; and ordinary numbers, ids and receipt numbers stay as they were."""

from __future__ import annotations

import base64
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.domain.redaction import clean_reason, redact

MASKED_ES = "ES91 **** **** **** **** 1332"
KEY_ID = "prk_0192f3a4b5c6d7e8f90a1b2c3d4e5f60_"
LEGACY_ONESIGNAL = base64.b64encode(b"4a00ff22-ccd7-11e3-99d5-000c2940e62c").decode()  # NGEwMGZm…


@pytest.mark.parametrize(
    ("url", "secret", "kept"),
    [
        ("redis://:s3cretpw@127.0.0.1:6379/0", "s3cretpw", "redis://:***@127.0.0.1:6379/0"),
        ("postgresql://u:pa/ss@h/db", "pa/ss", "postgresql://u:***@h/db"),
        ("amqp://guest:pa@ss@h:5672/", "pa@ss", "amqp://guest:***@h:5672/"),
        ("postgresql+psycopg://prorata:hunter2pass@db/prorata", "hunter2pass", "prorata:***@db/prorata"),
        ("'amqp://u:p%40ss@rabbit/vhost'", "p%40ss", "'amqp://u:***@rabbit/vhost'"),
    ],
)
def test_a_password_in_a_url_is_masked_up_to_the_last_at_before_the_host(
    url: str, secret: str, kept: str
) -> None:
    told = redact(f"cannot reach {url}, giving up")
    assert secret not in told
    assert kept in told
    assert told.endswith(", giving up")


@pytest.mark.parametrize(
    "iban",
    [
        "ES9121000418450200051332",
        "es9121000418450200051332",
        "ES91-2100-0418-4502-0005-1332",
        "es91-2100-0418-4502-0005-1332",
        "ES91 2100 0418 45 0200051332",
        "Es91 21000418 4502 0005 1332",
        "ES91 2100 0418 4502 0005 1332",
    ],
)
def test_an_iban_is_masked_whatever_its_case_and_grouping(iban: str) -> None:
    told = redact(f"row 4: {iban} is not the owner's")
    assert told == f"row 4: {MASKED_ES} is not the owner's"


@pytest.mark.parametrize("before", ["x_", "iban=", "(", "'", "IBAN:"])
def test_an_iban_after_an_underscore_or_punctuation_is_masked(before: str) -> None:
    assert redact(f"{before}ES9121000418450200051332") == f"{before}{MASKED_ES}"


@pytest.mark.parametrize(
    ("iban", "masked"),
    [
        ("DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **30 00"),
        ("gb82west12345698765432", "GB82 **** **** **** **54 32"),
        ("FR76 3000 6000 0112 3456 7890 189", "FR76 **** **** **** **** ***0 189"),
        ("ES91 2100 0418 4502 0005 1333", "ES91 **** **** **** **** 1333"),  # mistyped: an account still
        # Beside the SWIFT registry, in lower case or grouped at random: Morocco, Senegal (BCEAO).
        ("ma64 0115 19 0000012050 0053 4921", "MA64 **** **** **** **** **** 4921"),
        ("sn08sn0100152000048500003035", "SN08 **** **** **** **** **** 3035"),
        # Letters-only groups belong to the IBAN: a bank code (GB, NL, IE…), a currency at the end (MU).
        ("payee gb29 nwbk 6016 1331 9268 19 refused", "payee GB29 **** **** **** **68 19 refused"),
        ("mu17 bomm 0101 1010 3030 0200 000m ur", "MU17 **** **** **** **** **** **0M UR"),
        # Letters-only groups inside the account too (Malta's).
        ("mt84 malt 0110 0001 2345 mtlc ast0 01s", "MT84 **** **** **** **** **** ***0 01S"),
        # After a run of short words and numbers, however long.
        (
            "user ab12 sent 10 eur to my new acct at bank of de89 3704 0044 0532 0130 00 thanks",
            "user ab12 sent 10 eur to my new acct at bank of DE89 **** **** **** **30 00 thanks",
        ),
        (
            "order no12 was paid by me on the 3 of may to de89 3704 0044 0532 0130 00",
            "order no12 was paid by me on the 3 of may to DE89 **** **** **** **30 00",
        ),
        ("… ii25 ok from he NO16 0227 6460 839 yes ref", "… ii25 ok from he NO16 **** ***0 839 yes ref"),
        # Hex-looking (its country's and bank's letters both a–f), an IBAN still.
        ("bf42bf0840101300463574000390", "BF42 **** **** **** **** **** 0390"),
        # A BCEAO bank code of one letter, as banks wrote them and schwifty's format (two letters) does not.
        ("sn78k01001520000485000030353", "SN78 **** **** **** **** **** 0353"),
    ],
)
def test_ibans_of_other_countries_and_mistyped_ones_are_masked_as_on_receipts(iban: str, masked: str) -> None:
    assert redact(iban) == masked


def test_two_ibans_and_the_numbers_after_them() -> None:
    told = redact("es91-2100-0418-4502-0005-1332 2026 then DE89370400440532013000 150")
    assert told == f"{MASKED_ES} 2026 then DE89 **** **** **** **30 00 150"


@pytest.mark.parametrize(
    "text",
    [
        "receipt C0200-00001-0001 of CP01-00012-0003 issued",
        "ES01-00001-0001 and AB12-00012-0003 paid 150,00 €",
        "ES91 OK, IBAN ES91 has wrong check digits",
        "import 0192f3a4-b5c6-7d8e-9f0a-1b2c3d4e5f60 tenant_id=01a2329c-de40-780e-9c84-d671213a6458",
        "request_id=ad12" + "0" * 20 + "3a4c5e6f",
        "sha256 ab12" + "c" * 60,
        "phone +34 912 345 678, NIF B12345678, due 2026-01-31 at 10:00, 1.234,56 EUR",
        "the key abcdefghij was wrong; primary key constraint",
        "Basic auth refused",
        "http://127.0.0.1:8000/v1/imports 200",
        # Their check digits hold and their length is France's or Morocco's, but no IBAN is written so:
        # Réunion's are FR…, Morocco's national part is digits only.
        "ref re4220041010050500013m02606 sent",
        "ref ma970115190000012050005349a1 sent",
        # Sentences whose words and numbers add up to an IBAN's length, check digits holding, in countries
        # whose accounts may hold letters anywhere (Qatar, Kuwait, Azerbaijan): more words than numbers.
        "Order QA10 was sent to room 196 of the shop on may 3",
        "Ticket KW10 for user 132 of team blue is open",
        "Case AZ10 from the user 7 was sent to the bank",
    ],
)
def test_ids_receipt_numbers_and_words_stay(text: str) -> None:
    assert redact(text) == text


@given(st.uuids())
def test_no_uuid_is_taken_for_an_iban(found: uuid.UUID) -> None:
    for text in (str(found), found.hex, f"x={found} y"):
        assert redact(text) == text


@given(st.binary(min_size=8, max_size=32))
def test_no_hex_id_or_digest_is_taken_for_an_iban(raw: bytes) -> None:
    assert redact(f"id={raw.hex()}") == f"id={raw.hex()}"


@pytest.mark.parametrize(
    "said",
    [
        f"Authorization: Key {LEGACY_ONESIGNAL}",
        f"Authorization: Basic {LEGACY_ONESIGNAL}",
        f"authorization=key {LEGACY_ONESIGNAL}",
        f"{{'Authorization': 'Bearer {LEGACY_ONESIGNAL}'}}",
        f'{{"authorization": "Token {LEGACY_ONESIGNAL}"}}',
        f"Authorization: {LEGACY_ONESIGNAL}",
        f"invalid REST API key {LEGACY_ONESIGNAL}",
        f"Key {LEGACY_ONESIGNAL} refused",
        "Authorization: Key os_v2_app_secretonesignalkey1234",
        "bearer Zx9-secretpart_42abc",
    ],
)
def test_credentials_of_an_authorization_header_and_onesignal_keys_are_masked(said: str) -> None:
    told = redact(said)
    assert LEGACY_ONESIGNAL not in told
    assert "NGEwMGZm" not in told
    assert "secretonesignalkey" not in told
    assert "secretpart" not in told
    assert "***" in told


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        (f"{KEY_ID}Zx9-secretpart_42", f"{KEY_ID}***"),
        (f"KEY_{KEY_ID}Zx9-secretpart_42", f"{KEY_ID}***"),
        (f"Bearer {KEY_ID}Zx9-secretpart_42", f"Bearer {KEY_ID}***"),
        ("prk_notanid_Zx9-secretpart_42", "prk_***"),
        ("PRK_0192F3A4B5C6D7E8F90A1B2C3D4E5F60_Zx9-secretpart_42", "***"),
    ],
)
def test_a_prorata_key_keeps_its_id_only(said: str, kept: str) -> None:
    told = redact(f"refused {said}.")
    assert "secretpart" not in told
    assert kept in told


def test_a_webhook_s_secret_and_signature_are_masked() -> None:
    secret = "whsec_AbC-12_xyzXYZ0123456789abcdefghijklmnopq"
    said = f"echo {secret} Prorata-Signature: t=1700000000,v1=" + "ab" * 32
    told = redact(said)
    assert "AbC-12" not in told
    assert "ab" * 32 not in told
    assert told == "echo whsec_*** Prorata-Signature: t=1700000000,v1=***"


def test_a_reason_from_upstream_is_redacted_bounded_and_has_no_control_characters() -> None:
    said = "HTTP 400:\n\tAuthorization: Key os_v2_app_secret1234\x1b[31m red \u202eevil\x00 " + "x" * 900
    reason = clean_reason(said, limit=200)
    assert len(reason) <= 200
    assert reason.endswith("…")
    assert "os_v2_app_secret1234" not in reason
    assert all(ch.isprintable() for ch in reason)
    assert reason.startswith("HTTP 400: Authorization: Key os_v2_app_*** [31m red evil ")


def test_a_secret_cut_by_the_bound_is_masked_before_the_cut() -> None:
    reason = clean_reason("x" * 190 + " postgresql://u:longpassword@h/db", limit=200)
    assert "longpa" not in reason
    assert clean_reason("ok", limit=200) == "ok"


@pytest.mark.parametrize(
    "said",
    [
        "postgresql://u:pa/ss@h/db es91-2100-0418-4502-0005-1332 Authorization: Key os_v2_app_abc123",
        "Bearer prk_0192f3a4b5c6d7e8f90a1b2c3d4e5f60_Zx9-secretpart_42 whsec_AbC-12_xyzXYZ0123456789",
        f"Basic {LEGACY_ONESIGNAL} prk_notanid_x v1={'ab' * 32} ES91 2100 0418 4502 0005 1332",
    ],
)
def test_redacting_twice_changes_nothing(said: str) -> None:
    assert redact(redact(said)) == redact(said)
