"""What an uploaded workbook (a roster, an XLSForm) may hold, for every reader of one: the
server's (``rounds/roster.py``, ``forms/xlsform/read.py``) and the admin CLI's, which may not
import the services.

An .xlsx is a zip: a sheet of millions of blank rows packs into a few kilobytes and keeps
openpyxl's reader busy for minutes, so its unpacked size is checked before it is opened.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# A roster of MAX_ROSTER_ROWS units unpacks to well under 5 MB.
MAX_ROSTER_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROSTER_ROWS = 2000
# An XLSForm workbook (its survey sheet holds at most 5,000 rows).
MAX_FORM_UNPACKED_BYTES = 64 * 1024 * 1024


def unpacked_size(source: bytes | Path) -> int | None:
    """The bytes the archive's members unpack to (as its directory says; zipfile stops
    reading a member at its stated size), or None when it is no zip at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
