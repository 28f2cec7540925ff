"""method.get's isAvailable follows the webhook's scopes (dev.1c-bitrix.ru/rest_help/general/method_get.php:
"whether the method may be called with the application's current access (scope)")."""

from __future__ import annotations

from b24provision.portal import PortalClient, WebhookCredentials


def _method_get(portal, *names: str) -> dict[str, dict]:
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        return {name: client.call("method.get", {"name": name}).result for name in names}


def test_a_method_of_a_scope_the_webhook_lacks_exists_but_is_not_available(start_portal):
    portal = start_portal("sc", scopes=("crm",))
    answers = _method_get(portal, "userfieldconfig.add", "crm.type.add", "server.time", "no.such.method")
    assert answers["userfieldconfig.add"] == {"isExisting": True, "isAvailable": False}
    assert answers["crm.type.add"] == {"isExisting": True, "isAvailable": True}
    assert answers["server.time"] == {"isExisting": True, "isAvailable": True}  # basic: every webhook
    assert answers["no.such.method"] == {"isExisting": False, "isAvailable": False}


def test_every_method_is_available_to_a_webhook_with_every_scope(start_portal):
    portal = start_portal("all")
    assert _method_get(portal, "userfieldconfig.add")["userfieldconfig.add"]["isAvailable"] is True
