"""Notification channels: each turns a fanned-out event into one kind of delivery.

Like healthchecks' integrations, a channel is a small module with one class; adding a kind of
notification means adding a module here and listing it in CHANNELS.
"""

from nexus.notifications.channels.base import Channel
from nexus.notifications.channels.email import EmailChannel
from nexus.notifications.channels.in_app import InAppChannel
from nexus.notifications.channels.webhook import WebhookChannel

# In-app runs first: e-mail is sent for the notifications it creates.
CHANNELS: list[Channel] = [InAppChannel(), EmailChannel(), WebhookChannel()]

__all__ = ["CHANNELS", "Channel"]
