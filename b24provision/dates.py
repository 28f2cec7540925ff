"""Date and datetime defaults as a portal returns them, read as ISO 8601 and compared as dates.

A fixed default sent as 2025-01-31 may come back as sent (the docs), or in the site's format
(31.01.2025 on a ru or de portal, 01/31/2025 on an en one), and a datetime with the portal's offset
(2025-01-31T10:00:00+03:00): the core's add stores ``CRestUtil::unConvertDateTime`` (site format)
and ``getList`` converts only datetime back (reference §13.3). Pure functions.
"""

from __future__ import annotations

import re
from datetime import datetime

_SITE_DATE = re.compile(r"^(\d{1,2})([./])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def iso_date(text: str, *, with_time: bool) -> str | None:
    """A date default as the portal returns it, in ISO 8601: 2025-01-31 (``with_time``: 2025-01-31T10:00:00,
    keeping an offset the portal gave). Site formats: DD.MM.YYYY (ru, de...) and MM/DD/YYYY (en), each
    optionally with a time. None when empty; the text itself when it is no date at all."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = _SITE_DATE.match(text)
        if not match:
            return text
        a, sep, b, year, hh, mm, ss = match.groups()
        day, month = (int(a), int(b)) if sep == "." else (int(b), int(a))
        try:
            parsed = datetime(int(year), month, day, int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return text
    if not with_time:
        return parsed.date().isoformat()
    return parsed.isoformat()


def same_moment(a: str | None, b: str | None, *, with_time: bool) -> bool:
    """Whether two date (or datetime) defaults mean the same day (moment), whatever their format.

    A datetime without an offset is wall-clock time on the portal, so it equals the portal's value
    with any offset at that wall-clock time; two values with offsets compare as instants."""
    if a == b:
        return True
    if a is None or b is None or a == "now" or b == "now":
        return False
    x, y = iso_date(a, with_time=with_time), iso_date(b, with_time=with_time)
    if not with_time or x is None or y is None:
        return x == y
    try:
        dx, dy = datetime.fromisoformat(x), datetime.fromisoformat(y)
    except ValueError:
        return x == y
    if (dx.tzinfo is None) != (dy.tzinfo is None):
        dx, dy = dx.replace(tzinfo=None), dy.replace(tzinfo=None)
    return dx == dy
