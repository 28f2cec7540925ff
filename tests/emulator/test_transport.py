"""URL forms, encodings, the success and error envelopes, auth errors."""

from __future__ import annotations

import http.client
import threading

import httpx

from b24provision.emulator import Emulator, RunningServer

from .conftest import HTTP, app_token, err, ok

TIME_KEYS = {
    "start",
    "finish",
    "duration",
    "processing",
    "date_start",
    "date_finish",
    "operating_reset_at",
    "operating",
}


def test_success_envelope_has_result_total_and_all_time_keys(hook: httpx.Client) -> None:
    response = hook.post("crm.category.list", json={"entityTypeId": 2})
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["total"] == 1
    assert set(body["time"]) == TIME_KEYS
    assert body["result"]["categories"][0]["id"] == 0


def test_json_suffix_and_method_case_are_ignored(hook: httpx.Client) -> None:
    assert (
        ok(hook.get("CRM.Status.Entity.Items.json", params={"entityId": "DEAL_STAGE"}))[0]["STATUS_ID"]
        == "NEW"
    )


def test_form_and_query_brackets_are_parsed_like_php(hook: httpx.Client) -> None:
    new_id = ok(
        hook.post(
            "crm.status.add",
            data={
                "fields[ENTITY_ID]": "DEAL_STAGE",
                "fields[STATUS_ID]": "FORM",
                "fields[NAME]": "From a form",
                "fields[SORT]": "15",
            },
        )
    )
    listed = ok(hook.get("crm.status.list?filter[ENTITY_ID]=DEAL_STAGE&order[SORT]=DESC"))
    assert listed[-1]["STATUS_ID"] == "NEW" and any(s["ID"] == str(new_id) for s in listed)


def test_multipart_form_data_is_accepted(hook: httpx.Client) -> None:
    answer = hook.post("crm.dealcategory.add", files={"fields[NAME]": (None, "Multipart")})
    assert ok(answer) == 1


def test_wrong_webhook_code_is_401_invalid_credentials(server: RunningServer) -> None:
    code, text = err(HTTP.get(f"{server.url}/rest/1/wrong/profile"), 401)
    assert (code, text) == ("INVALID_CREDENTIALS", "Invalid request credentials")
    assert err(HTTP.get(f"{server.url}/rest/7/test-token/profile"), 401)[0] == "INVALID_CREDENTIALS"


def test_unknown_method_is_404(hook: httpx.Client) -> None:
    assert err(hook.get("crm.nothing.here"), 404) == ("ERROR_METHOD_NOT_FOUND", "Method not found!")


def test_oauth_auth_parameter_in_query_or_json_body(server: RunningServer, emulator: Emulator) -> None:
    token = app_token(server, emulator)
    assert ok(HTTP.get(f"{server.url}/rest/profile.json", params={"auth": token}))["ADMIN"] is True
    assert ok(HTTP.post(f"{server.url}/rest/crm.category.list", json={"auth": token, "entityTypeId": 2}))
    assert err(HTTP.get(f"{server.url}/rest/profile", params={"auth": "nope"}), 401)[0] == "invalid_token"
    assert err(HTTP.get(f"{server.url}/rest/profile"), 401)[0] == "NO_AUTH_FOUND"


def test_crm_validation_error_has_empty_code(hook: httpx.Client) -> None:
    assert err(hook.post("crm.status.add", json={"fields": {"NAME": "x"}})) == (
        "",
        "The field ENTITY_ID is required.\nThe field STATUS_ID is required.",
    )


def test_request_log_records_methods_writes_and_sub_calls(hook: httpx.Client, emulator: Emulator) -> None:
    hook.post("crm.category.list", json={"entityTypeId": 2})
    hook.post(
        "batch", json={"cmd": {"a": "crm.dealcategory.add?fields[NAME]=A", "b": "crm.dealcategory.list"}}
    )
    assert [(r.method, r.write, r.sub_call) for r in emulator.request_log] == [
        ("crm.category.list", False, False),
        ("crm.dealcategory.add", True, True),
        ("crm.dealcategory.list", False, True),
        ("batch", False, False),
    ]
    assert emulator.write_count() == 1


def test_eighty_clients_connecting_at_once_are_all_answered(server: RunningServer) -> None:
    """80 connections opened together on loopback (CI jobs, a load test): none is dropped, each gets
    its answer. With socketserver's listen backlog of 5 several of them were never accepted."""
    clients = 80
    together = threading.Barrier(clients)
    statuses: list[object] = []

    def one() -> None:
        together.wait()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            connection.request("POST", "/rest/1/test-token/server.time", body=b"{}")
            statuses.append(connection.getresponse().status)
        except OSError as exc:
            statuses.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * clients
