"""Webhooks: the events a management system subscribes to, delivered to its URL as signed JSON. Pure: the
application stores and schedules deliveries, an adapter posts them."""
