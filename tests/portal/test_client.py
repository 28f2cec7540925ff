"""The client against the emulator over real HTTP: envelope, errors, batch and paging."""

from __future__ import annotations

import logging

import pytest

from b24provision.errors import PortalAuthError, PortalError, PortalNotFound
from b24provision.portal import Command, PortalClient, WebhookCredentials


def test_call_returns_result_and_time(client):
    reply = client.call("crm.category.list", {"entityTypeId": 2})
    assert [c["name"] for c in reply.result["categories"]]  # the default pipeline
    assert reply.total == len(reply.result["categories"])
    assert reply.next is None
    assert {"start", "finish", "duration"} <= set(reply.time)
    assert client.request_count == 1


def test_legacy_crm_error_is_the_portals_words_alone(client):
    with pytest.raises(PortalError) as info:
        client.call("crm.status.add", {"fields": {"ENTITY_ID": "DEAL_STAGE", "NAME": "No code"}})
    error = info.value
    assert type(error) is PortalError
    assert str(error).startswith("crm.status.add: ")
    assert "STATUS_ID" in str(error)
    assert not str(error).endswith(")")  # no "(code)" for the empty legacy code
    assert (error.code, error.status) == ("", 400)


def test_error_core_text_loses_its_br(client):
    fields = {"FIELD_NAME": "BAD NAME!", "USER_TYPE_ID": "string"}
    with pytest.raises(PortalError) as info:
        client.call("crm.deal.userfield.add", {"fields": fields})
    assert info.value.code == "ERROR_CORE"
    assert str(info.value).startswith("crm.deal.userfield.add: ")
    assert str(info.value).endswith("(ERROR_CORE)")
    assert "<br" not in str(info.value)


def test_unknown_method_is_not_found(client):
    with pytest.raises(PortalNotFound) as info:
        client.call("crm.nosuch.list")
    assert "crm.nosuch.list: Method not found! (ERROR_METHOD_NOT_FOUND)" in str(info.value)
    assert info.value.status == 404


def test_unknown_userfield_is_not_found(client):
    with pytest.raises(PortalNotFound):
        client.call("crm.deal.userfield.get", {"id": 999})


def test_wrong_webhook_code_is_an_auth_error_without_the_code(server, token):
    wrong = server.webhook_url.replace(token, "wrongSECRETcode42")
    with PortalClient(WebhookCredentials(wrong), rate=None) as client, pytest.raises(PortalAuthError) as info:
        client.call("profile")
    assert info.value.status == 401
    assert "wrongSECRETcode42" not in str(info.value) and "wrongSECRETcode42" not in repr(client)
    assert "check the webhook URL" in str(info.value)


def test_application_only_method_says_it_needs_an_oauth_application(client):
    with pytest.raises(PortalAuthError) as info:
        client.call("bizproc.robot.list")
    assert info.value.status == 403
    assert "bizproc.robot.list needs an OAuth application; a webhook cannot call it" in str(info.value)


def test_batch_reports_results_and_errors_per_key(client):
    reply = client.batch(
        [
            Command("cats", "crm.category.list", {"entityTypeId": 2}),
            Command("bad", "crm.status.add", {"fields": {"ENTITY_ID": "DEAL_STAGE"}}),
            Command("missing", "crm.nosuch.get", {}),
        ]
    )
    assert client.request_count == 1
    assert reply.results["cats"]["categories"]
    assert set(reply.errors) == {"bad", "missing"}
    assert str(reply.errors["bad"]).startswith("crm.status.add: ")
    assert isinstance(reply.errors["missing"], PortalNotFound)
    assert reply.totals["cats"] >= 1


def test_batch_chains_results_with_references(client):
    reply = client.batch(
        [
            Command("cat", "crm.dealcategory.add", {"fields": {"NAME": "Repeat sales"}}),
            Command(
                "stage",
                "crm.status.add",
                {"fields": {"ENTITY_ID": "DEAL_STAGE_$result[cat]", "STATUS_ID": "WAIT", "NAME": "Waiting"}},
            ),
        ],
        halt=True,
    )
    assert not reply.errors, reply.errors
    category = int(reply.results["cat"])
    stages = client.call("crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{category}"}}).result
    assert f"C{category}:WAIT" in {s["STATUS_ID"] for s in stages}


def test_batch_halt_stops_after_the_first_error(client):
    reply = client.batch(
        [
            Command("bad", "crm.status.add", {"fields": {"ENTITY_ID": "DEAL_STAGE"}}),
            Command("cat", "crm.dealcategory.add", {"fields": {"NAME": "Never made"}}),
        ],
        halt=True,
    )
    assert set(reply.errors) == {"bad"} and "cat" not in reply.results
    names = [c["name"] for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]]
    assert "Never made" not in names


def test_batch_refuses_more_than_50_commands_before_sending(client):
    commands = [Command(f"c{i}", "profile", {}) for i in range(51)]
    with pytest.raises(ValueError, match="at most 50"):
        client.batch(commands)
    assert client.request_count == 0


def test_batch_all_chunks_by_50(client):
    reply = client.batch_all(
        [Command(f"c{i}", "crm.dealcategory.add", {"fields": {"NAME": f"P{i}"}}) for i in range(60)]
    )
    assert len(reply.results) == 60 and not reply.errors
    assert client.request_count == 2


@pytest.fixture
def deals(client):
    count = 123
    reply = client.batch_all(
        [Command(f"d{i}", "crm.deal.add", {"fields": {"TITLE": f"Deal {i}"}}) for i in range(count)]
    )
    assert not reply.errors, reply.errors
    client.request_count = 0
    return {int(v) for v in reply.results.values()}


def test_call_all_pages_through_next(client, deals):
    items = client.call_all("crm.deal.list", {"select": ["ID", "TITLE"], "order": {"ID": "ASC"}})
    assert {int(d["ID"]) for d in items} == deals and len(items) == len(deals)
    assert client.request_count == 3  # 50 + 50 + 23


def test_call_list_batched_reads_a_big_list_in_two_requests(client, deals):
    items = client.call_list_batched("crm.deal.list", {"select": ["ID"], "order": {"ID": "ASC"}})
    assert [int(d["ID"]) for d in items] == sorted(deals)
    assert client.request_count == 2  # the first page, then one batch for the rest


def test_call_all_finds_a_list_nested_under_a_key(client):
    client.batch_all(
        [Command(f"c{i}", "crm.dealcategory.add", {"fields": {"NAME": f"P{i}"}}) for i in range(3)]
    )
    categories = client.call_all("crm.category.list", {"entityTypeId": 2})
    assert client.call_all("crm.category.list", {"entityTypeId": 2}, key="categories") == categories
    assert len(categories) == 4


def test_httpx_log_lines_do_not_show_the_webhook_code(client, token, caplog):
    caplog.set_level(logging.DEBUG)
    client.call("crm.category.list", {"entityTypeId": 2})
    assert "HTTP Request: POST" in caplog.text and "/rest/1/***/crm.category.list" in caplog.text
    assert token not in caplog.text


def test_params_go_as_json_and_dates_as_strings(client):
    import datetime

    reply = client.call(
        "crm.deal.add", {"fields": {"TITLE": "Сделка «кухня»", "CLOSEDATE": datetime.date(2026, 1, 5)}}
    )
    deal = client.call("crm.deal.get", {"id": reply.result}).result
    assert deal["TITLE"] == "Сделка «кухня»"
    assert deal["CLOSEDATE"].startswith("2026-01-05")
