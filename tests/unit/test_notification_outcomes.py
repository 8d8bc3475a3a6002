"""What each OneSignal answer does to a notification: sent, not delivered (never retried), retried under
the same key, or failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prorata.domain.notifications.model import (
    Notification,
    NotificationKind,
    NotificationStatus,
    NotRequeuable,
)
from prorata.domain.notifications.outcomes import Answer, RetryPolicy, Verdict, classify, retry_after_seconds

NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_failures=3, backoff=5, max_backoff=60)


def sending(**changes: object) -> Notification:
    values: dict[str, object] = {
        "id": "n1",
        "tenant_id": "t",
        "receipt_id": "r",
        "event_id": "e",
        "resident_id": "res",
        "kind": NotificationKind.ISSUED,
        "language": "es",
        "external_id": "ext",
        "idempotency_key": "k",
        "created_at": NOW,
        "status": NotificationStatus.SENDING,
        "attempts": 1,
        **changes,
    }
    return Notification(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        (Answer(200, {"id": "b1e2", "external_id": None}), Verdict.SENT),
        (
            Answer(200, {"id": "", "errors": ["All included players are not subscribed"]}),
            Verdict.NOT_DELIVERED,
        ),
        (
            Answer(200, {"id": "b1e2", "errors": {"invalid_aliases": {"external_id": ["x"]}}}),
            Verdict.NOT_DELIVERED,
        ),
        (Answer(200, {"id": ""}), Verdict.NOT_DELIVERED),
        (Answer(200, {}), Verdict.NOT_DELIVERED),
        (Answer(429, {"errors": ["rate"]}, retry_after="7"), Verdict.RETRY),
        (Answer(500, {"errors": ["boom"]}), Verdict.RETRY),
        (Answer(502, None, "<html>Bad Gateway</html>"), Verdict.RETRY),
        (Answer(503, None, ""), Verdict.RETRY),
        (Answer(408, None, ""), Verdict.RETRY),
        (Answer(200, None, "OK"), Verdict.RETRY),
        (Answer(200, ["not", "an", "object"], "[]"), Verdict.RETRY),
        (Answer(None, error="timed out"), Verdict.RETRY),
        (
            Answer(400, {"errors": ["Message Notifications must have English language content"]}),
            Verdict.FAILED,
        ),
        (Answer(403, {"errors": ["Access denied"]}), Verdict.FAILED),
        (Answer(404, None, "Not Found"), Verdict.FAILED),
        (Answer(301, None, ""), Verdict.FAILED),
    ],
)
def test_each_answer_has_one_meaning(answer: Answer, verdict: Verdict) -> None:
    assert classify(answer, NOW).verdict is verdict


def test_not_delivered_and_failed_say_why_in_onesignal_s_words() -> None:
    unsubscribed = classify(
        Answer(200, {"id": "", "errors": ["All included players are not subscribed"]}), NOW
    )
    assert unsubscribed.reason == "not delivered: All included players are not subscribed"
    invalid = classify(Answer(200, {"id": "b1", "errors": {"invalid_aliases": {"external_id": ["x"]}}}), NOW)
    assert invalid.reason is not None
    assert "invalid_aliases" in invalid.reason
    assert invalid.provider_id == "b1"
    refused = classify(
        Answer(400, {"errors": ["Message Notifications must have English language content"]}), NOW
    )
    said = "Message Notifications must have English language content"
    assert refused.reason == f"OneSignal refused the request (HTTP 400): {said}"
    gateway = classify(Answer(502, None, "<html><body>Bad Gateway</body></html>"), NOW)
    assert gateway.reason is not None
    assert "Bad Gateway" in gateway.reason


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0.5", 0.5),
        ("Thu, 02 Apr 2026 10:00:30 GMT", 30.0),
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def test_a_429_waits_as_told_and_is_not_counted_as_a_failure() -> None:
    outcome = classify(Answer(429, None, "", retry_after="7"), NOW)
    after = sending(failures=2).answered(outcome, NOW, POLICY)
    assert after.status is NotificationStatus.QUEUED
    assert after.failures == 2
    assert after.not_before == NOW + timedelta(seconds=7)


def test_a_429_without_retry_after_backs_off() -> None:
    after = sending().answered(classify(Answer(429, None, ""), NOW), NOW, POLICY)
    assert after.not_before == NOW + timedelta(seconds=5)


def test_server_errors_back_off_doubling_then_fail_with_the_last_reason() -> None:
    error = classify(Answer(500, {"errors": ["boom"]}), NOW)
    first = sending().answered(error, NOW, POLICY)
    second = sending(failures=1).answered(error, NOW, POLICY)
    assert (first.not_before, second.not_before) == (NOW + timedelta(seconds=5), NOW + timedelta(seconds=10))
    third = sending(failures=2).answered(error, NOW, POLICY)
    assert third.status is NotificationStatus.FAILED
    assert third.reason == "gave up after 3 failed tries; the last: OneSignal answered HTTP 500: boom"


def test_sent_keeps_onesignal_s_id_and_ends() -> None:
    after = sending(not_before=NOW).answered(classify(Answer(200, {"id": "b1e2"}), NOW), NOW, POLICY)
    assert (after.status, after.provider_id, after.finished_at, after.lease_until) == (
        NotificationStatus.SENT, "b1e2", NOW, None,
    )  # fmt: skip


def test_requeue_starts_a_new_generation_under_the_same_key() -> None:
    failed = sending(status=NotificationStatus.FAILED, failures=3, attempts=4, generation=0, reason="x")
    again = failed.requeued(NOW)
    assert (again.status, again.generation, again.attempts, again.failures, again.idempotency_key) == (
        NotificationStatus.QUEUED, 1, 0, 0, "k",
    )  # fmt: skip


@pytest.mark.parametrize(
    "status", [NotificationStatus.QUEUED, NotificationStatus.SENDING, NotificationStatus.SENT]
)
def test_one_on_its_way_or_sent_is_not_requeued(status: NotificationStatus) -> None:
    with pytest.raises(NotRequeuable):
        sending(status=status).requeued(NOW)


def test_a_server_error_asking_to_wait_longer_than_the_backoff_is_waited_for() -> None:
    outcome = classify(Answer(503, None, "", retry_after="30"), NOW)
    assert sending().answered(outcome, NOW, POLICY).not_before == NOW + timedelta(seconds=30)
    soon = classify(Answer(429, None, "", retry_after="0"), NOW)
    assert sending().answered(soon, NOW, POLICY).not_before == NOW + timedelta(seconds=1)  # never at once


LEGACY_KEY = "NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj"  # a REST API key made before Nov. 2024


@pytest.mark.parametrize(
    "answer",
    [
        Answer(400, {"errors": [f"Authorization: Basic {LEGACY_KEY} is not valid"]}),
        Answer(403, None, f"<html>\n<p>Key {LEGACY_KEY}</p>\x1b[0m</html>"),
        Answer(
            None, error=f"ConnectError: proxy said Authorization: Key os_v2_app_abcdef123 \u202e{'x' * 900}"
        ),
    ],
)
def test_what_onesignal_says_back_is_kept_redacted_bounded_and_on_one_printable_line(answer: Answer) -> None:
    policy = RetryPolicy(max_failures=1)
    ended = sending().answered(classify(answer, NOW), NOW, policy)
    assert ended.status is NotificationStatus.FAILED
    assert ended.reason is not None
    assert LEGACY_KEY not in ended.reason
    assert "abcdef123" not in ended.reason
    assert "***" in ended.reason
    assert ended.reason.isprintable()
    assert len(ended.reason) <= 500
