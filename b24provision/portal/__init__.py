"""Talking to a Bitrix24 portal over REST.

``client`` holds the only HTTP code of the tool (auth, batch, paging, throttle, retries);
``connect`` turns a ``--portal`` spec into a client. Only this package imports httpx.
"""

from __future__ import annotations

from b24provision.portal.client import BATCH_LIMIT, PortalClient
from b24provision.portal.connect import describe_portal, open_portal
from b24provision.portal.credentials import OAuthCredentials, WebhookCredentials
from b24provision.portal.envelope import BatchReply, Command, Reply
from b24provision.portal.throttle import RateLimit

__all__ = [
    "BATCH_LIMIT",
    "BatchReply",
    "Command",
    "OAuthCredentials",
    "PortalClient",
    "RateLimit",
    "Reply",
    "WebhookCredentials",
    "describe_portal",
    "open_portal",
]
