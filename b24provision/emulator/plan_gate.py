"""REST itself is a paid feature: a portal on the free plan refuses every call (reference §9.3).

The cloud's auth handlers, for a webhook (``rest/lib/apauth/auth.php``) and for an OAuth application
(``rest/lib/oauth/auth.php``), ask ``Engine\\Access::isAvailable()`` once the credentials are
good. It holds on commercial plans, the demo and NFR portals (the feature ``rest_access``) and with a
Market subscription on any plan; otherwise the call is refused before any method runs, so nothing
is read or written. ``PortalSettings.rest_open()`` says which portal this is.

The docs and the core disagree on the answer (``Quirks.rest_plan_refusal``): the docs' table of
system errors gives 403 ``ACCESS_DENIED`` "REST API is available only on commercial plans"; the
core builds ``ACCESS_DENIED`` "REST is available only on commercial plans." into an
``OAuthException``, whose status is 401 unless the handler names another, and these do not.
"""

from __future__ import annotations

from typing import Literal

from b24provision.emulator.wire import RestError

DOCS_WORDS = "REST API is available only on commercial plans"
CORE_WORDS = "REST is available only on commercial plans."


def plan_refusal(reading: Literal["403", "401"]) -> RestError:
    """The answer to any call on a portal whose plan has no REST, as the docs or the core give it."""
    if reading == "401":
        return RestError("ACCESS_DENIED", CORE_WORDS, 401)
    return RestError("ACCESS_DENIED", DOCS_WORDS, 403)
