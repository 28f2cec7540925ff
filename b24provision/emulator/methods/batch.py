"""``batch``: up to 50 calls in one HTTP request (reference §4).

``cmd`` is a map (or list) of ``"method?query"`` strings. Commands run in order, each in its own
savepoint; one failing does not undo the others, and the batch itself answers 200. ``halt`` stops
after the first failing command. Commands past the 50th each get ERROR_BATCH_LENGTH_EXCEEDED. A
command may use an earlier result: ``$result[key][FIELD]``, ``$result[key][0][ID]`` (also
``$result_total``, ``$result_next``, ``$result_error``). The answer keeps PHP's json_encode quirks:
empty maps are ``[]`` and maps keyed 0..n-1 are lists.
"""

from __future__ import annotations

import re
import time
from typing import Any

from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import (
    Paged,
    RestError,
    as_dict,
    is_true,
    param,
    parse_php_query,
    php_array,
    time_block,
)

MAX_COMMANDS = 50
_REF = re.compile(r"\$(result_error|result_total|result_next|result)((?:\[[^\]]*\])+)")


def _lookup(sources: dict[str, dict[str, Any]], kind: str, path: str) -> Any:
    keys = re.findall(r"\[([^\]]*)\]", path)
    node: Any = sources[kind]
    for key in keys:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _substitute(value: Any, sources: dict[str, dict[str, Any]]) -> Any:
    """Replace $result[...] references in every string leaf of a command's parameters."""
    if isinstance(value, dict):
        return {k: _substitute(v, sources) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, sources) for v in value]
    if not isinstance(value, str) or "$result" not in value:
        return value
    whole = _REF.fullmatch(value)
    if whole:  # the whole value is one reference: keep the referenced value's shape
        found = _lookup(sources, whole.group(1), whole.group(2))
        return "" if found is None else found

    def replace(match: re.Match[str]) -> str:
        found = _lookup(sources, match.group(1), match.group(2))
        return "" if found is None or isinstance(found, dict | list) else str(found)

    return _REF.sub(replace, value)


@method("batch", scope="basic")
def batch(call: Call) -> dict[str, Any]:
    if call.in_batch:
        raise RestError("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405)
    commands = as_dict(param(call.params, "cmd"))
    halt = is_true(param(call.params, "halt", default=False))
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    nexts: dict[str, Any] = {}
    times: dict[str, Any] = {}
    sources = {"result": results, "result_error": errors, "result_total": totals, "result_next": nexts}
    for index, (key, command) in enumerate(commands.items()):
        if index >= MAX_COMMANDS:
            errors[key] = {
                "error": "ERROR_BATCH_LENGTH_EXCEEDED",
                "error_description": "Max batch length exceeded",
            }
            continue
        if not isinstance(command, str):
            continue  # the source skips non-string commands
        name, _, query = command.partition("?")
        params = _substitute(parse_php_query(query), sources)
        started = time.time()
        try:
            if name.strip().lower() == "batch":
                raise RestError(
                    "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405
                )
            outcome = call.dispatch(name, params)
        except RestError as error:
            errors[key] = error.body()
            if halt:
                break
            continue
        finished = time.time()
        if isinstance(outcome, Paged):
            results[key] = outcome.result
            if outcome.total is not None:
                totals[key] = outcome.total
            if outcome.next is not None:
                nexts[key] = outcome.next
        else:
            results[key] = outcome
        block = time_block(started, finished, 0.0, int(finished + 600))
        del block["operating_reset_at"]
        times[key] = block
    return {
        "result": php_array(results),
        "result_error": php_array(errors),
        "result_total": php_array(totals),
        "result_next": php_array(nexts),
        "result_time": php_array(times),
    }
