"""The default time zone, and the zone a round's times are shown in.

A round states its zone (``time_zone``, an IANA name); one without, and a page with no round,
uses :data:`DEFAULT_ZONE`, where the project's first users are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone_of(round_doc: Mapping[str, Any]) -> ZoneInfo:
    """The zone a round's times are shown in."""
    return ZoneInfo(round_doc.get("time_zone") or DEFAULT_ZONE)
