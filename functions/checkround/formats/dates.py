"""Dates as people write them in Vietnamese and English: one grammar for reading, one
formatter for showing.

Reading (:func:`parse_date`), the same in both languages:

- ``dd/mm/yyyy``, the day first as Vietnam and Britain write it: a day and a month of one or
  two digits and a year of four, separated by ``/``, ``-`` or ``.`` (the same both times):
  ``14/06/2019``, ``14/6/2019``, ``14-06-2019``, ``14.6.2019``. A date written month first,
  the American way, is read day first too (``06/12/2019`` is 6 December) or not at all
  (``06/14/2019`` has no month 14): the input says "day/month/year" in both languages.
- ``yyyy-mm-dd`` (ISO 8601), which a browser's date picker posts and the API stores.
- Spaces around the text are ignored; anything else, or a day the calendar does not have
  (``31/06/2019``), is not a date.

Showing (:func:`format_date`): ``14/06/2019`` in both languages, as the project's pages and
reports write dates (an English page says "day/month/year" next to a date input); it reads back
as itself.
"""

from __future__ import annotations

import datetime as dt
import re

_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class DateError(ValueError):
    """The text is not a date of the calendar written in a way :func:`parse_date` reads."""


def parse_date(text: str) -> dt.date:
    """The date ``text`` means (``dd/mm/yyyy`` or ``yyyy-mm-dd``); raises :class:`DateError`."""
    body = text.strip()
    day_first = _DAY_FIRST.fullmatch(body)
    iso = _ISO.fullmatch(body)
    if day_first:
        day, _, month, year = day_first.groups()
    elif iso:
        year, month, day = iso.groups()
    else:
        raise DateError(text)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise DateError(text) from exc


def format_date(value: dt.date | str) -> str:
    """A date (or its ISO text) as both languages show it, day first: ``14/06/2019``."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{day:%d/%m/%Y}"


def format_moment(moment: dt.datetime, zone: str) -> str:
    """A moment as the pages show it, in a named zone (a round's): ``17:00 20/06/2019 (UTC+07:00)``."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone))
    offset = local.strftime("%z")
    return f"{local:%H:%M %d/%m/%Y} (UTC{offset[:3]}:{offset[3:]})"


def format_local(moment: dt.datetime, zone: str) -> tuple[str, str]:
    """A moment as a date input and a time input show it in a zone: ``("20/06/2019", "17:00")``."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%d/%m/%Y}", f"{local:%H:%M}"


_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def official_date(place: str, day: dt.date | None, language: str) -> str:
    """The place and date line of an administrative document: ``Quảng Ninh, ngày 05 tháng 02
    năm 2019`` (a day below 10 and the months 1 and 2 take a leading zero, as Vietnamese
    administrative documents write them, so that nothing can be written in front), or
    ``Quảng Ninh, 5 February 2019``. Without a day (a draft), the date's places are left open:
    ``Quảng Ninh, ngày … tháng … năm …``."""
    prefix = f"{place}, " if place else ""
    if language == "en":
        return prefix + (f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}" if day else "… … …")
    if day is None:
        return prefix + "ngày … tháng … năm …"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return prefix + f"ngày {day.day:02d} tháng {month} năm {day.year}"
