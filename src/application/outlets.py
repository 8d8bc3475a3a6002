"""What tells residents and management systems what happened — the notifier (OneSignal), the webhook
sender, their queue, the shared pace and the retry rules — wired once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from prorata.domain.notifications.outcomes import RetryPolicy
from prorata.domain.webhooks.model import RetrySchedule

if TYPE_CHECKING:  # the fields' types only: every command that wires the components imported them
    from prorata.domain.ports.delivery_queue import DeliveryQueue
    from prorata.domain.ports.notifier import Notifier
    from prorata.domain.ports.pace import Pace
    from prorata.domain.ports.webhook_sender import WebhookSender


@dataclass(frozen=True, slots=True)
class Outlets:
    """`notifier` None: no OneSignal app is configured, and notifications are recorded only. `lease` is
    how long one send or delivery attempt holds its job."""

    queue: DeliveryQueue
    notifier: Notifier | None
    pace: Pace
    webhooks: WebhookSender
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    webhook_retry: RetrySchedule = field(default_factory=RetrySchedule)
    lease: timedelta = timedelta(seconds=60)
