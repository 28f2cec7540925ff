"""The Bitrix24 REST wire format: how parameters arrive and how answers leave.

Parameters come three ways and all end up as one nested ``dict`` (reference §1.3):

* a query string or form body in PHP ``http_build_query`` style (``fields[NAME]=x``, ``select[]=ID``),
* a JSON body,
* ``multipart/form-data`` (same bracket names as a form).

PHP has one array type, so a form can only say ``{"0": a, "1": b}`` where JSON says ``[a, b]``;
``php_normalise`` turns maps whose keys are exactly 0..n-1 into lists so handlers see one shape, and
``as_list`` / ``as_dict`` accept either. On the way out ``php_array`` does the opposite quirk of
PHP's ``json_encode``: an empty map is ``[]`` and a map keyed 0..n-1 is a JSON list (reference §4).

Handlers raise ``RestError``; the app turns it into ``{"error", "error_description"}`` with the
error's HTTP status and no ``time`` block (reference §2.1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import unquote_plus

# The portal's time zone. Real portals use the owner's zone; a fixed one keeps output deterministic.
PORTAL_TZ = timezone(timedelta(hours=3))
PAGE_SIZE = 50


class RestError(Exception):
    """A REST error answer: ``{"error": code, "error_description": description}`` with ``status``."""

    def __init__(
        self, code: str | int, description: str, status: int = 400, extra: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, **self.extra}


def crm_error(*messages: str) -> RestError:
    """Legacy crm.* proxies join their messages with newlines and use the empty code (reference §2.3)."""
    return RestError("", "\n".join(messages))


@dataclass
class Paged:
    """A handler result with navigation data that the envelope hoists to top-level next/total."""

    result: Any
    total: int | None = None
    next: int | None = None


@dataclass
class Envelope:
    """What a handler call produced, before it is written to the wire."""

    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]] = field(default_factory=list)


# --- parsing ----------------------------------------------------------------------------------

_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _set_php(target: dict[str, Any], name: str, value: Any) -> None:
    """Store ``value`` under a PHP bracket name like ``fields[LIST][0][VALUE]`` or ``select[]``."""
    head, _, rest = name.partition("[")
    if not head:
        return
    keys = [head] + (_BRACKETS.findall("[" + rest) if rest else [])
    node: dict[str, Any] = target
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        if key == "":  # `[]` appends, as PHP does: the next integer key
            ints = [int(k) for k in node if k.isdigit()]
            key = str(max(ints) + 1 if ints else 0)
        if last:
            node[key] = value
        else:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child


def parse_php_query(query: str) -> dict[str, Any]:
    """Parse ``a[b][]=1&c=2`` the way PHP's parse_str does (then normalise 0..n-1 maps to lists)."""
    out: dict[str, Any] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        _set_php(out, unquote_plus(name), unquote_plus(value))
    result = php_normalise(out)
    assert isinstance(result, dict)
    return result


def php_normalise(value: Any) -> Any:
    """Turn PHP-array maps keyed exactly "0".."n-1" (in order) into lists, recursively."""
    if isinstance(value, dict):
        items = {k: php_normalise(v) for k, v in value.items()}
        if items and list(items) == [str(i) for i in range(len(items))]:
            return list(items.values())
        return items
    if isinstance(value, list):
        return [php_normalise(v) for v in value]
    return value


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse a multipart/form-data body into the same nested shape as a form."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        _set_php(out, name, text)
    result = php_normalise(out)
    assert isinstance(result, dict)
    return result


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse a request body by its content type; an unparsable JSON body is a 400."""
    ctype = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return {}
    if ctype == "application/json" or (not ctype and body.lstrip()[:1] in (b"{", b"[")):
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            # PHP would silently see no parameters; a clear error serves client authors better.
            raise RestError("ERROR_ARGUMENT", f"Request body is not valid JSON: {exc}") from exc
        return data if isinstance(data, dict) else {}
    if ctype == "multipart/form-data":
        return parse_multipart(body, content_type)
    return parse_php_query(body.decode("utf-8", "replace"))


# --- parameter helpers --------------------------------------------------------------------------


def param(params: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    """The first of ``names`` present in ``params`` (crm proxies accept fields/FIELDS/..., id/ID)."""
    for name in names:
        if name in params:
            return params[name]
    lowered = {k.lower(): v for k, v in params.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return default


def as_list(value: Any) -> list[Any]:
    """A PHP array as a list: lists stay, maps give their values, scalars become one item."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def as_dict(value: Any) -> dict[str, Any]:
    """A PHP array as a map: maps stay, lists are keyed "0".."n-1", anything else is empty."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def to_int(value: Any, default: int | None = None) -> int | None:
    """PHP intval-ish: "12" -> 12, 12.7 -> 12, junk -> default."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        match = re.match(r"\s*([+-]?\d+)", value)
        if match:
            return int(match.group(1))
    return default


def to_yn(value: Any, default: str = "N") -> str:
    """Y/N from the many spellings clients send: "Y", "y", true, 1, "1", "true"."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return "Y" if value else "N"
    text = str(value).strip().upper()
    if text in ("Y", "1", "TRUE", "YES"):
        return "Y"
    if text in ("N", "0", "FALSE", "NO"):
        return "N"
    return default


def is_true(value: Any) -> bool:
    return to_yn(value) == "Y"


# --- output -------------------------------------------------------------------------------------


def php_array(value: dict[str, Any]) -> dict[str, Any] | list[Any]:
    """Encode a map the way PHP's json_encode does: empty -> [], keys 0..n-1 in order -> list."""
    if not value:
        return []
    if [str(k) for k in value] == [str(i) for i in range(len(value))]:
        return list(value.values())
    return value


def iso(moment: datetime) -> str:
    """ISO-8601 with offset in the portal's zone, as Bitrix prints dates: 2026-05-14T10:26:32+03:00."""
    return moment.astimezone(PORTAL_TZ).replace(microsecond=0).isoformat()


def parse_time(text: Any) -> datetime | None:
    """Parse an ISO date or datetime as clients send them; naive values are in the portal's zone."""
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=PORTAL_TZ)
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip().replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text.strip()) else text.strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        match = re.match(r"(\d\d)\.(\d\d)\.(\d{4})", raw)  # the Russian UI's dd.mm.yyyy
        if not match:
            return None
        moment = datetime(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return moment if moment.tzinfo else moment.replace(tzinfo=PORTAL_TZ)


def time_block(start: float, finish: float, operating: float, operating_reset_at: int) -> dict[str, Any]:
    """The ``time`` key of a success answer with all eight keys (reference §1.4)."""
    return {
        "start": start,
        "finish": finish,
        "duration": finish - start,
        "processing": finish - start,
        "date_start": iso(datetime.fromtimestamp(start, PORTAL_TZ)),
        "date_finish": iso(datetime.fromtimestamp(finish, PORTAL_TZ)),
        "operating_reset_at": operating_reset_at,
        "operating": operating,
    }


def dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def order_items(
    items: list[dict[str, Any]], order: Mapping[str, Any], numeric: set[str]
) -> list[dict[str, Any]]:
    """Sort list items by an ``order`` map ({"SORT": "ASC", "ID": "DESC"}); keys in ``numeric`` as ints."""

    def key_for(name: str) -> Callable[[dict[str, Any]], Any]:
        if name in numeric:
            return lambda item: to_int(item.get(name), 0) or 0
        return lambda item: str(item.get(name) or "")

    out = list(items)
    for name, direction in reversed(list(order.items())):
        out.sort(key=key_for(name.upper()), reverse=str(direction).upper() == "DESC")
    return out


def field_description(
    kind: str,
    title: str,
    *,
    required: bool = False,
    readonly: bool = False,
    immutable: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """One entry of a ``*.fields`` answer for a built-in field (not a user field: isDynamic false)."""
    return {
        "type": kind,
        "isRequired": required,
        "isReadOnly": readonly,
        "isImmutable": immutable,
        "isMultiple": False,
        "isDynamic": False,
        "title": title,
        **extra,
    }
