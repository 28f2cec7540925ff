"""The emulator's test API keeps its promise: a portal taken from the session's pool is as fresh as a
newly started one, whatever the test before did to it (the suite's speed rests on this)."""

from __future__ import annotations

import httpx

from b24provision.emulator import PortalSettings
from b24provision.emulator.testing import (
    PortalPool,
    by_hand,
    deals,
    field_names,
    pipeline_ids,
    stage_codes,
)


def test_a_portal_taken_again_is_fresh() -> None:
    pool = PortalPool()
    try:
        first = pool.take(
            PortalSettings(token="firstTOKEN", rate_limit=None, limits={"crm_user_field_limit": 1})
        )
        emulator = first.app
        by_hand(emulator, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Left over"}})
        by_hand(
            emulator, "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "OLD", "USER_TYPE_ID": "string"}}
        )
        by_hand(emulator, "crm.deal.add", {"fields": {"TITLE": "held"}})
        emulator.settings.license = "ru_basic"
        emulator.faults.stop_after = 0  # every request from now on is dropped
        pool.release(first)

        second = pool.take(PortalSettings(token="secondTOKEN", rate_limit=None))
        assert second is first  # the same server, handed out again...
        assert (pipeline_ids(second.app), field_names(second.app), deals(second.app)) == ({}, [], [])
        assert stage_codes(second.app, 0)[0] == "NEW"  # ...holding a fresh portal
        answer = httpx.post(
            second.webhook_url + "crm.category.add", json={"entityTypeId": 2, "fields": {"name": "A"}}
        )
        assert answer.status_code == 200, answer.text  # no faults, the new token, the full license
        assert answer.json()["result"]["category"]["id"] == 1  # ids start again
        assert [r.method for r in second.app.request_log] == ["crm.category.add"]
        assert httpx.post(f"{second.url}/rest/1/firstTOKEN/crm.category.list").status_code == 401
    finally:
        pool.close()


def test_two_portals_taken_at_once_are_two_portals() -> None:
    pool = PortalPool()
    try:
        a = pool.take(PortalSettings(token="same", rate_limit=None))
        b = pool.take(PortalSettings(token="same", rate_limit=None))
        by_hand(a.app, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Only on a"}})
        assert a.url != b.url and pipeline_ids(b.app) == {}
    finally:
        pool.close()
