"""Date defaults as portals return them (reference §13.3): read as ISO 8601, compared as dates."""

from __future__ import annotations

import pytest

from b24provision.dates import iso_date, same_moment


@pytest.mark.parametrize(
    ("text", "with_time", "iso"),
    [
        ("2025-01-31", False, "2025-01-31"),
        ("31.01.2025", False, "2025-01-31"),  # ru, de site format
        ("31.01.2025 00:00:00", False, "2025-01-31"),  # unConvertDateTime gives the full format
        ("01/31/2025", False, "2025-01-31"),  # en site format
        ("31.01.2025 10:00:00", True, "2025-01-31T10:00:00"),
        ("2025-01-31T10:00:00+03:00", True, "2025-01-31T10:00:00+03:00"),
        ("", False, None),
        ("soon", False, "soon"),  # not a date: kept, so the plan shows it
    ],
)
def test_portal_dates_read_as_iso(text: str, with_time: bool, iso: str | None) -> None:
    assert iso_date(text, with_time=with_time) == iso


def test_defaults_compare_as_dates_and_moments() -> None:
    assert same_moment("2025-01-31", "31.01.2025", with_time=False)
    assert not same_moment("2025-01-31", "01.02.2025", with_time=False)
    # wall-clock time without an offset equals the portal's value at that wall-clock time
    assert same_moment("2025-01-31 10:00", "2025-01-31T10:00:00+03:00", with_time=True)
    # two offsets: instants
    assert same_moment("2025-01-31T07:00:00+00:00", "2025-01-31T10:00:00+03:00", with_time=True)
    assert not same_moment("2025-01-31T10:00:00+00:00", "2025-01-31T10:00:00+03:00", with_time=True)
    assert not same_moment("now", "2025-01-31", with_time=False) and same_moment(None, None, with_time=False)
