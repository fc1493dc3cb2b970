"""Date normalisation: human-written dates to ISO ``YYYY-MM-DD`` (a translation task).

Written from scratch with ``datetime`` and our own English month and day names, so the
output does not depend on the machine's locale.
"""

from __future__ import annotations

import datetime

import numpy as np

from ..errors import input_error
from ._checks import check_int

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 22 -> '22nd'."""
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _fields(d: datetime.date) -> dict:
    month = MONTHS[d.month - 1]
    return dict(d=d.day, dd=f"{d.day:02d}", mm=f"{d.month:02d}", Y=d.year,
                yy=f"{d.year % 100:02d}", Month=month, Mon=month[:3],
                Weekday=WEEKDAYS[d.weekday()], nth=_ordinal(d.day))


#: The human formats, as ``str.format`` templates over the fields of ``_fields``.
#: Numeric formats use distinct separators so that none is ambiguous:
#: ``dd.mm.yy`` is day first (European), ``mm/dd/YYYY`` is month first (US).
DATE_FORMATS = (
    "{d} {Month} {Y}",                 # 5 March 2021
    "{Month} {d}, {Y}",                # March 5, 2021
    "{d} {Mon} {Y}",                   # 5 Mar 2021
    "{Mon} {d} {Y}",                   # Mar 5 2021
    "{Weekday}, {Month} {d}, {Y}",     # Friday, March 5, 2021
    "{Weekday} {d} {Month} {Y}",       # Friday 5 March 2021
    "{nth} of {Month} {Y}",            # 5th of March 2021
    "{Month} {nth}, {Y}",              # March 5th, 2021
    "{dd}-{Mon}-{Y}",                  # 05-Mar-2021
    "{dd}.{mm}.{yy}",                  # 05.03.21
    "{mm}/{dd}/{Y}",                   # 03/05/2021
)


def format_date(d: datetime.date, template: str, *, lowercase: bool = False) -> str:
    """Write ``d`` in one of the ``DATE_FORMATS`` (or any template over the same fields)."""
    text = template.format(**_fields(d))
    return text.lower() if lowercase else text


def date_normalisation(n, *, start=datetime.date(1950, 1, 1), end=datetime.date(2049, 12, 31),
                       lowercase=False, seed):
    """Pairs (human date, ISO date): "Friday, March 5, 2021" -> "2021-03-05".

    Dates are uniform between ``start`` and ``end`` (both included); each is written in a
    format drawn uniformly from ``DATE_FORMATS``. A two-digit year ``yy`` denotes the one
    year in ``[start.year, start.year + 99]`` that ends in ``yy``, so the range may span at
    most 100 years and every source denotes exactly one date.

    Parameters
    ----------
    n : int
        Number of pairs.
    start, end : datetime.date
        Inclusive range of dates, spanning at most 100 calendar years.
    lowercase : bool
        Lower-case the sources (a smaller vocabulary, as in the deeplearning.ai exercise).
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    sources : list of str
        Human-written dates, 7 to 29 characters.
    targets : list of str
        ISO 8601 dates ``YYYY-MM-DD``, always 10 characters.

    Shapes
    ------
    Two lists of N strings; targets have T = 10 characters.
    """
    n = check_int("date_normalisation", "n", n, minimum=1)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime.date):
            raise input_error("date_normalisation", name, "a datetime.date", repr(value))
    if not start <= end or end.year - start.year > 99:
        raise input_error("date_normalisation", ("start", "end"), "start <= end within 100 calendar years",
                          f"start={start}, end={end}")
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, (end - start).days + 1, size=n)     # (N,)
    formats = rng.integers(0, len(DATE_FORMATS), size=n)          # (N,)
    dates = [start + datetime.timedelta(days=int(k)) for k in offsets]
    sources = [format_date(d, DATE_FORMATS[f], lowercase=lowercase) for d, f in zip(dates, formats)]
    return sources, [d.isoformat() for d in dates]
