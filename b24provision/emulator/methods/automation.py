"""What REST offers around automation: app robot types, activities, triggers, workflow templates.

None of it reads or writes the robots placed on stages — no REST method does (reference §0, §8).
``bizproc.robot.*`` / ``bizproc.activity.*`` register an application's own robot/activity *types*,
``crm.automation.trigger.*`` its triggers; all need an application (OAuth) context, so a webhook gets
403 ACCESS_DENIED "Access denied! Application context required", and each app sees only its own.
Registration follows the portal's features: robot methods exist only with an automation feature,
bizproc.activity/workflow methods only with ``bizproc``; otherwise they are ERROR_METHOD_NOT_FOUND.
"""

from __future__ import annotations

import json
import re
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.registry import ANY_AUTOMATION, BIZPROC_ONLY, Call, method
from b24provision.emulator.wire import PAGE_SIZE, Paged, RestError, as_dict, crm_error, to_int

_CODE = re.compile(r"^[a-z0-9.\-_]+$", re.IGNORECASE)
_PROP_KEY = re.compile(r"^[a-z][a-z0-9_]*$", re.IGNORECASE)


def _upper(params: dict[str, Any]) -> dict[str, Any]:
    """bizproc methods upper-case every parameter name (reference §1.3)."""
    return {k.upper(): v for k, v in params.items()}


def _validate_activity(fields: dict[str, Any], *, adding: bool) -> None:
    def fail(message: str) -> RestError:
        return RestError("ERROR_ACTIVITY_VALIDATION_FAILURE", message)

    if adding:
        code = str(fields.get("CODE") or "")
        if not code:
            raise fail("Empty activity code!")
        if not _CODE.match(code):
            raise fail("Wrong activity code!")
        if not fields.get("HANDLER"):
            raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")
        if not fields.get("NAME"):
            raise fail("Empty activity NAME!")
    for key in ("PROPERTIES", "RETURN_PROPERTIES"):
        if key not in fields:
            continue
        props = fields[key]
        if not isinstance(props, dict):
            raise fail("Wrong properties array!")
        for prop_key, prop in props.items():
            if not _PROP_KEY.match(prop_key):
                raise fail(f"Wrong property key ({prop_key})!")
            if not isinstance(prop, dict) or not prop.get("Name", prop.get("NAME")):
                raise fail(f"Empty property NAME ({prop_key})!")


def _activity_methods(kind: str, features: frozenset[str]) -> None:
    prefix = f"bizproc.{kind}"

    @method(f"{prefix}.add", write=True, features=features, scope="bizproc")
    def add(call: Call) -> bool:
        client_id = call.require_app()
        fields = _upper(call.params)
        _validate_activity(fields, adding=True)
        code = str(fields["CODE"])
        if call.db.execute(
            "SELECT 1 FROM app_activity WHERE client_id = ? AND kind = ? AND code = ?",
            (client_id, kind, code),
        ).fetchone():
            raise RestError("ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!")
        call.db.execute(
            "INSERT INTO app_activity (client_id, kind, code, data) VALUES (?, ?, ?, ?)",
            (client_id, kind, code, json.dumps(fields, ensure_ascii=False)),
        )
        return True

    @method(f"{prefix}.update", write=True, features=features, scope="bizproc")
    def update(call: Call) -> bool:
        client_id = call.require_app()
        params = _upper(call.params)
        code = str(params.get("CODE") or "")
        row = call.db.execute(
            "SELECT * FROM app_activity WHERE client_id = ? AND kind = ? AND code = ?",
            (client_id, kind, code),
        ).fetchone()
        if row is None:
            raise RestError("ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!")
        fields = _upper(as_dict(params.get("FIELDS")))
        if not fields:
            raise RestError("ERROR_ACTIVITY_VALIDATION_FAILURE", "No fields to update")
        _validate_activity(fields, adding=False)
        data = json.loads(row["data"])
        data.update(fields)
        call.db.execute(
            "UPDATE app_activity SET data = ? WHERE client_id = ? AND kind = ? AND code = ?",
            (json.dumps(data, ensure_ascii=False), client_id, kind, code),
        )
        return True

    @method(f"{prefix}.delete", write=True, features=features, scope="bizproc")
    def delete(call: Call) -> bool:
        client_id = call.require_app()
        code = str(_upper(call.params).get("CODE") or "")
        deleted = call.db.execute(
            "DELETE FROM app_activity WHERE client_id = ? AND kind = ? AND code = ?", (client_id, kind, code)
        ).rowcount
        if not deleted:
            raise RestError("ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!")
        return True

    @method(f"{prefix}.list", features=features, scope="bizproc")
    def list_(call: Call) -> list[str]:
        client_id = call.require_app()
        return [
            r["code"]
            for r in store.rows(
                call.db,
                "SELECT code FROM app_activity WHERE client_id = ? AND kind = ? ORDER BY code",
                (client_id, kind),
            )
        ]


_activity_methods("robot", ANY_AUTOMATION)
_activity_methods("activity", BIZPROC_ONLY)


# --- crm.automation.trigger.* -------------------------------------------------------------------


@method("crm.automation.trigger.add", write=True)
def trigger_add(call: Call) -> bool:
    client_id = call.require_app()
    params = _upper(call.params)
    code, name = str(params.get("CODE") or ""), str(params.get("NAME") or "")
    if not code:
        raise crm_error("Empty trigger code!")
    if not _CODE.match(code):
        raise crm_error("Wrong trigger code!")
    if not name:
        raise crm_error("Empty trigger name!")
    # An existing CODE is renamed, not duplicated (reference §8.5).
    call.db.execute(
        "INSERT OR REPLACE INTO app_trigger (client_id, code, name) VALUES (?, ?, ?)", (client_id, code, name)
    )
    return True


@method("crm.automation.trigger.list")
def trigger_list(call: Call) -> list[dict[str, str]]:
    client_id = call.require_app()
    return [
        {"NAME": r["name"], "CODE": r["code"]}
        for r in store.rows(
            call.db, "SELECT * FROM app_trigger WHERE client_id = ? ORDER BY code", (client_id,)
        )
    ]


@method("crm.automation.trigger.delete", write=True)
def trigger_delete(call: Call) -> bool:
    client_id = call.require_app()
    code = str(_upper(call.params).get("CODE") or "")
    if not call.db.execute(
        "DELETE FROM app_trigger WHERE client_id = ? AND code = ?", (client_id, code)
    ).rowcount:
        raise crm_error("Trigger not found")
    return True


# --- bizproc.workflow.template.* ----------------------------------------------------------------

_TEMPLATE_FIELDS = (
    "ID",
    "MODULE_ID",
    "ENTITY",
    "DOCUMENT_TYPE",
    "AUTO_EXECUTE",
    "NAME",
    "DESCRIPTION",
    "TEMPLATE",
    "PARAMETERS",
    "VARIABLES",
    "CONSTANTS",
    "MODIFIED",
    "IS_MODIFIED",
    "USER_ID",
    "SYSTEM_CODE",
)


def _template_error(message: str) -> RestError:
    return RestError("ERROR_TEMPLATE_VALIDATION_FAILURE", message)


def _auto_execute(value: Any) -> int:
    number = to_int(value, 0)
    if number not in (0, 1, 2, 3):  # Automation (8) templates cannot be made over REST
        raise _template_error("Incorrect field AUTO_EXECUTE!")
    return int(number or 0)


@method("bizproc.workflow.template.list", features=BIZPROC_ONLY, scope="bizproc")
def template_list(call: Call) -> Paged:
    params = _upper(call.params)
    select = [str(s).upper() for s in (params.get("SELECT") or ["ID"])]
    items = []
    for row in store.rows(call.db, "SELECT * FROM bp_template ORDER BY id"):
        data = json.loads(row["data"])
        if int(data.get("AUTO_EXECUTE", 0)) & 8:  # robot templates are never listed (reference §8.3)
            continue
        full = {"ID": str(row["id"]), **data}
        items.append({k: full.get(k) for k in select if k in _TEMPLATE_FIELDS})
    start = to_int(params.get("START"), 0) or 0
    page = items[start : start + PAGE_SIZE]
    return Paged(page, total=len(items), next=start + PAGE_SIZE if start + PAGE_SIZE < len(items) else None)


@method("bizproc.workflow.template.add", write=True, features=BIZPROC_ONLY, scope="bizproc")
def template_add(call: Call) -> int:
    client_id = call.require_app()
    params = _upper(call.params)
    document_type = params.get("DOCUMENT_TYPE")
    if not isinstance(document_type, list) or len(document_type) != 3:
        raise _template_error("Incorrect field DOCUMENT_TYPE!")
    if not params.get("NAME"):
        raise _template_error("Empty template name!")
    if not params.get("TEMPLATE_DATA"):
        raise _template_error("Incorrect field TEMPLATE_DATA!")
    app_index = (
        list(call.settings.oauth_clients).index(client_id) + 1
        if client_id in call.settings.oauth_clients
        else 1
    )
    data = {
        "MODULE_ID": document_type[0],
        "ENTITY": document_type[1],
        "DOCUMENT_TYPE": document_type,
        "AUTO_EXECUTE": str(_auto_execute(params.get("AUTO_EXECUTE"))),
        "NAME": str(params["NAME"]),
        "DESCRIPTION": str(params.get("DESCRIPTION") or ""),
        "USER_ID": str(call.auth.user_id),
        "SYSTEM_CODE": f"rest_app_{app_index}",
    }
    cursor = call.db.execute(
        "INSERT INTO bp_template (client_id, data) VALUES (?, ?)",
        (client_id, json.dumps(data, ensure_ascii=False)),
    )
    return int(cursor.lastrowid or 0)


def _own_template(call: Call, client_id: str) -> tuple[int, dict[str, Any]]:
    template_id = to_int(_upper(call.params).get("ID"))
    row = call.db.execute("SELECT * FROM bp_template WHERE id = ?", (template_id,)).fetchone()
    if row is None:
        raise RestError("ERROR_TEMPLATE_NOT_FOUND", "Workflow template not found.")
    if row["client_id"] != client_id:
        raise RestError(
            "ERROR_TEMPLATE_NOT_OWNER", "You can update ONLY templates created by current application"
        )
    return int(row["id"]), json.loads(row["data"])


@method("bizproc.workflow.template.update", write=True, features=BIZPROC_ONLY, scope="bizproc")
def template_update(call: Call) -> bool:
    client_id = call.require_app()
    template_id, data = _own_template(call, client_id)
    fields = _upper(as_dict(_upper(call.params).get("FIELDS")))
    if not fields:
        raise _template_error("No fields to update.")
    if "AUTO_EXECUTE" in fields:
        data["AUTO_EXECUTE"] = str(_auto_execute(fields["AUTO_EXECUTE"]))
    for key in ("NAME", "DESCRIPTION"):
        if key in fields:
            data[key] = str(fields[key])
    call.db.execute(
        "UPDATE bp_template SET data = ? WHERE id = ?", (json.dumps(data, ensure_ascii=False), template_id)
    )
    return True


@method("bizproc.workflow.template.delete", write=True, features=BIZPROC_ONLY, scope="bizproc")
def template_delete(call: Call) -> None:
    client_id = call.require_app()
    template_id, _ = _own_template(call, client_id)
    call.db.execute("DELETE FROM bp_template WHERE id = ?", (template_id,))
    return None
