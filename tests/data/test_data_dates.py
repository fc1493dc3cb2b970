"""Date normalisation: every target is a valid ISO date and the source really denotes it.

The check parses each source with its own table of ``strptime`` patterns, written
independently of the generator's templates.
"""

import datetime
import re

import pytest

from rnnlearn.data import DATE_FORMATS, InputError, date_normalisation, format_date

PATTERNS = ["%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d %Y", "%A, %B %d, %Y", "%A %d %B %Y",
            "%d of %B %Y", "%d-%b-%Y", "%m/%d/%Y"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def parse(source: str, first_year: int) -> set:
    """All dates the human string can denote (two-digit years in [first_year, first_year+99])."""
    text = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", source)
    found = set()
    for pattern in PATTERNS:
        try:
            found.add(datetime.datetime.strptime(text, pattern).date())
        except ValueError:
            pass
    m = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d)", text)
    if m:
        day, month, yy = map(int, m.groups())
        year = first_year + (yy - first_year) % 100
        found.add(datetime.date(year, month, day))
    return found


def test_targets_are_iso_dates_denoted_by_sources():
    sources, targets = date_normalisation(2000, seed=0)
    assert len(sources) == len(targets) == 2000
    for s, t in zip(sources, targets):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)
        d = datetime.date.fromisoformat(t)
        assert datetime.date(1950, 1, 1) <= d <= datetime.date(2049, 12, 31)
        assert parse(s, 1950) == {d}, (s, t)
        for w in WEEKDAYS:  # a weekday name, when present, is the right one
            if w in s.lower():
                assert WEEKDAYS[d.weekday()] == w, (s, t)


def test_all_formats_used_and_lowercase_option():
    sources, _ = date_normalisation(3000, seed=1)
    assert len({re.sub(r"\d", "9", s.split(" ")[0]) for s in sources}) > 8
    lower, targets = date_normalisation(300, lowercase=True, seed=1)
    assert all(s == s.lower() for s in lower)
    assert targets == date_normalisation(300, seed=1)[1]


def test_format_date_examples():
    d = datetime.date(2021, 3, 5)
    written = [format_date(d, f) for f in DATE_FORMATS]
    assert "Friday, March 5, 2021" in written and "5th of March 2021" in written
    assert "05.03.21" in written and "03/05/2021" in written
    assert format_date(datetime.date(2013, 2, 12), "{nth}") == "12th"
    assert format_date(datetime.date(2013, 2, 22), "{nth}") == "22nd"


def test_date_range_is_checked():
    with pytest.raises(InputError, match=r"date_normalisation: arguments 'start' and 'end': expected .*100"):
        date_normalisation(5, start=datetime.date(1900, 1, 1), end=datetime.date(2020, 1, 1), seed=0)
    with pytest.raises(InputError, match=r"date_normalisation: argument 'start': expected a datetime\.date; "
                                         r"got '1990-01-01'"):
        date_normalisation(5, start="1990-01-01", seed=0)
