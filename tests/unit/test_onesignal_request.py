"""The create-notification request the OneSignal adapter puts on the wire — built by onesignal-sdk 2.0.0's
private `_kwargs_send_notification`, sent by the adapter: a change of that builder fails here."""

from __future__ import annotations

import json

import httpx
import pytest

from prorata.adapters.onesignal import OneSignalNotifier
from prorata.domain.notifications.model import Push

PUSH = Push(
    "res-7",
    "5d1f0a0e-6c55-5c2f-9a3b-1c2d3e4f5a6b",
    {"es": "Recibo", "en": "Receipt"},
    {"es": "Un recibo", "en": "A receipt"},
    {"receipt_id": "r-1", "event": "issued"},
)


@pytest.mark.parametrize(
    ("key", "authorization"),
    [
        ("os_v2_app_abcdefghijklmnop", "Key os_v2_app_abcdefghijklmnop"),
        (
            "NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj",
            "Basic NGEwMGZmMjItY2NkNy0xMWUzLTk5ZDUtMDAwYzI5NDBlNjJj",
        ),
    ],
    ids=["app key", "legacy key"],
)
def test_one_post_to_the_root_s_notifications_with_the_key_s_scheme_and_the_body_as_built(
    key: str, authorization: str
) -> None:
    seen: list[httpx.Request] = []

    def onesignal(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "n-1", "external_id": None})

    notifier = OneSignalNotifier(
        "app-1", key, "https://api.onesignal.com/", transport=httpx.MockTransport(onesignal)
    )
    answer = notifier.send(PUSH)
    assert (answer.status, answer.body) == (200, {"id": "n-1", "external_id": None})
    (request,) = seen
    assert (request.method, str(request.url)) == ("POST", "https://api.onesignal.com/notifications")
    assert request.headers["authorization"] == authorization
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "app_id": "app-1",
        "target_channel": "push",
        "include_aliases": {"external_id": ["res-7"]},
        "idempotency_key": "5d1f0a0e-6c55-5c2f-9a3b-1c2d3e4f5a6b",
        "headings": {"es": "Recibo", "en": "Receipt"},
        "contents": {"es": "Un recibo", "en": "A receipt"},
        "data": {"receipt_id": "r-1", "event": "issued"},
    }


@pytest.mark.parametrize(
    ("root", "key", "named"),
    [
        ("https://api.onesignal.com", "os_v2_app_abc…", "PRORATA_ONESIGNAL_API_KEY"),
        ("https://api.onesignal.com", "os_v2_app_abc def", "PRORATA_ONESIGNAL_API_KEY"),
        ("api.onesignal.com", "os_v2_app_abc", "PRORATA_ONESIGNAL_API_ROOT"),
        ("https://", "os_v2_app_abc", "PRORATA_ONESIGNAL_API_ROOT"),
    ],
)
def test_a_key_or_root_no_request_could_carry_is_refused_when_wired_not_at_every_push(
    root: str, key: str, named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        OneSignalNotifier("app-1", key, root)
