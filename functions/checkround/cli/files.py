"""Reading a form definition file (YAML or JSON) into plain JSON values, or exit code 2."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .failures import BadInput
from .messages import text

_KINDS = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}


def load_definition(path: Path, lang: str) -> dict[str, Any]:
    """The definition in ``path``, checked only as far as the CLI needs (a mapping with an id);
    the server validates the rest and answers with path-addressed errors."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise BadInput(text(lang, "bad_suffix", file=path))
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(text(lang, "unreadable", file=path, detail=exc)) from None
    try:
        raw = yaml.safe_load(source) if kind == "YAML" else json.loads(source)
        data = _plain(raw, path, "", lang)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise BadInput(text(lang, "unparsable", file=path, kind=kind, detail=_where(exc))) from None
    except RecursionError:
        raise BadInput(text(lang, "too_deep", file=path)) from None
    if not isinstance(data, dict):
        raise BadInput(text(lang, "not_mapping", file=path))
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise BadInput(text(lang, "no_id", file=path))
    return data


def _plain(value: Any, path: Path, where: str, lang: str) -> Any:
    """YAML's extra types as JSON values: dates become ISO strings (as the API stores them);
    anything JSON cannot carry is reported here, with where it is, rather than as a crash."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                # YAML 1.1 reads an unquoted `on`, `no` or `1` key as a bool or a number.
                raise BadInput(text(lang, "bad_key", file=path, key=key, path=where or "/"))
            out[key] = _plain(item, path, f"{where}.{key}" if where else key, lang)
        return out
    if isinstance(value, list):
        return [
            _plain(item, path, f"{where}.{index}" if where else str(index), lang) for index, item in enumerate(value)
        ]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BadInput(text(lang, "bad_value", file=path, path=where or "/", kind=type(value).__name__))


def _where(exc: yaml.YAMLError | json.JSONDecodeError) -> str:
    """Line, column and problem: what the user needs to fix the file, without YAML's echo of
    the source (which names an anonymous "<unicode string>" and spans several lines)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())
