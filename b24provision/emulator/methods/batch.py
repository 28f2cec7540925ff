"""``batch``: up to 50 calls in one HTTP request (reference §4).

``cmd`` is a map (or list) of ``"method?query"`` strings. Commands run in order, each in its own
savepoint; one failing does not undo the others, and the batch itself answers 200. ``halt`` stops
after the first failing command. Commands past the 50th each get ERROR_BATCH_LENGTH_EXCEEDED. A
command may use what an earlier one returned: ``$result[key][FIELD]``, ``$result[key][0][ID]``,
``$next[key]``, ``$total[key]``, ``$error[key][error]``, ``$time[key][duration]``. These are the
core's own names: ``CRestProvider::methodsBatch`` keeps ``result``, ``next``, ``total``, ``time``
and ``error`` per command, and ``CRestUtil::processBatchElement`` matches ``$`` + one of these
names (any case) + everything up to the next whitespace (reference §13.6). The answer's
``result_total``, ``result_next``, ... keys are only how they are printed: ``$result_total[key]``
is no reference to a total, the core reads it as ``$result`` followed by ``_total[key]`` and
substitutes ``key``'s *result*. The substitution follows
``processBatchElement`` to the letter:

* the reference runs to the next whitespace, and the whole match is replaced (``$result[a][ID]x``
  becomes the ID, the ``x`` is swallowed);
* a key that is missing stops the walk where it is: the node reached so far is used;
* a parameter that is exactly one reference takes the referenced value as it is (an array stays an
  array); inside a longer string a number is written as text and anything else leaves the reference
  as it was.

The answer keeps PHP's json_encode quirks: empty maps are ``[]`` and maps keyed 0..n-1 are lists.
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
# The kinds in the order methodsBatch creates them; case-insensitive like the core's /i.
_KINDS = ("result", "next", "total", "time", "error")
_REF = re.compile(r"\$(" + "|".join(_KINDS) + r")(\S*)", re.IGNORECASE)
_PATH = re.compile(r"\[([^\]]+)\]")
_MISSING = object()


def _lookup(sources: dict[str, dict[str, Any]], kind: str, path: str) -> Any:
    """What ``$<kind><path>`` points at; _MISSING when the reference is not resolved at all."""
    keys = _PATH.findall(path)
    if not keys:
        return _MISSING  # no [..] after the name: processBatchElement leaves it alone
    node: Any = sources.get(kind)  # $arResult[$arMatch[1]]: "$Result" (other case) finds nothing
    for key in keys:
        if isinstance(node, dict) and key in node and node[key] is not None:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node) and node[int(key)] is not None:
            node = node[int(key)]
        else:
            break  # isset() failed: the walk stops, the node reached so far is used
    return node


def _substitute(value: Any, sources: dict[str, dict[str, Any]]) -> Any:
    """Replace batch references in every string leaf of a command's parameters."""
    if isinstance(value, dict):
        return {k: _substitute(v, sources) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, sources) for v in value]
    if not isinstance(value, str) or "$" not in value:
        return value
    out = value
    for match in _REF.finditer(value):
        found = _lookup(sources, match.group(1), match.group(2))
        if found is _MISSING:
            continue
        if match.group(0) == value:  # the whole value is one reference: it takes the value's shape
            return "" if found is None else found
        if isinstance(found, bool):
            continue  # PHP's is_numeric(true) is false and a bool is no string: left as it was
        if isinstance(found, int | float):
            found = str(found)
        if isinstance(found, str):
            out = out.replace(match.group(0), found)
    return out


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
    sources = {"result": results, "next": nexts, "total": totals, "time": times, "error": errors}
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
