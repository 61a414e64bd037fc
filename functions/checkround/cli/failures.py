"""Exit codes and the exceptions that carry them to the shell.

Every failure the CLI knows about is a :class:`Failure`: click's standalone mode prints it
with :meth:`Failure.show` and exits with its code, so no expected problem ever reaches the
user as a Python traceback.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import IntEnum
from typing import IO, Any

import click


class ExitCode(IntEnum):
    """What a script may rely on (the table is repeated in ``checkround --help``)."""

    OK = 0
    REFUSED = 1  # the admin API answered with an error
    USAGE = 2  # bad options, or a file that cannot be read or parsed (click uses 2 as well)
    UNREACHABLE = 3  # no answer from the admin API at the configured URL


class Failure(click.ClickException):
    """A failure with the lines to print on stderr; the subclass says which exit code."""

    exit_code = int(ExitCode.USAGE)

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)

    def show(self, file: IO[Any] | None = None) -> None:
        # click's default prefixes "Error: "; our lines already start with "error: ".
        for line in self.lines:
            click.echo(line, file=file, err=file is None)


class BadInput(Failure):
    """Bad options or configuration, or a file that cannot be read or parsed."""

    exit_code = int(ExitCode.USAGE)


class Unreachable(Failure):
    """No answer from the admin API at the configured URL."""

    exit_code = int(ExitCode.UNREACHABLE)


class Refused(Failure):
    """The admin API answered with its error shape: ``{"error": {code, message, fields?}}``."""

    exit_code = int(ExitCode.REFUSED)

    def __init__(self, status: int, code: str, message: str, fields: Any = None, hint: str | None = None) -> None:
        lines = [f"error: {code}: {message}"]
        lines += [f"  {path}: {text}" for path, text in flatten_fields(fields)]
        super().__init__(*lines, *([hint] if hint else []))
        self.status, self.code, self.api_message, self.fields = status, code, message, fields

    def with_hint(self, hint: str) -> Refused:
        """The same refusal with one more line saying what it means for this command."""
        return Refused(self.status, self.code, self.api_message, self.fields, hint)


def flatten_fields(fields: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's nested error shape as ``(dotted path, message)`` pairs.

    ``{"sections": {"0": {"fields": {"2": {"max": ["msg"]}}}}}`` gives
    ``("sections.0.fields.2.max", "msg")``; list items are keyed by their index.
    """
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            yield from flatten_fields(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(fields, list):
        for index, value in enumerate(fields):
            # A list of messages belongs to the path itself; a list of objects is indexed.
            yield from flatten_fields(value, prefix if isinstance(value, str) else f"{prefix}.{index}".lstrip("."))
    elif fields is not None:
        yield (prefix or "-", str(fields))
