"""Messages from templates: ``templates/notify/<kind>.txt.j2`` (the plain-text part) and
``<kind>.html.j2`` (the HTML part), in a sandboxed Jinja2 environment.

The sandbox matters because an organisation may replace a template through the API
(:func:`check_template`): a template sees only the values it is given (the message's
parameters, the catalogue ``t`` and the link), an attribute the sandbox deems unsafe
(``__class__``, ``__globals__``…) or a name it was not given is an error (``StrictUndefined``),
and the HTML part is autoescaped, so a unit's name cannot inject markup. An organisation's own
templates run in a tighter sandbox that bounds what they may build (:mod:`.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from . import sandbox
from .texts import Texts

PARTS = ("txt", "html")


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith(".html.j2")


@cache
def environment(templates_dir: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(templates_dir / "notify"),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def compose(
    templates_dir: Path, kind: str, language: str, params: dict[str, Any], overrides: dict[str, str] | None = None
) -> Composed:
    """The subject (from the catalogue), the text and the HTML of one message.

    ``overrides`` holds an organisation's own sources for the parts (``txt``, ``html``).
    """
    env = environment(templates_dir)
    t = Texts(language)
    values = {**params, "t": t, "language": language}
    parts = {}
    for part in PARTS:
        source = (overrides or {}).get(part)
        if source:
            # A string has no name to choose autoescaping by: the HTML part's sandbox escapes all.
            parts[part] = sandbox.render(source, part == "html", values)
        else:
            parts[part] = env.get_template(f"{kind}.{part}.j2").render(values)
    subject = t(f"subject_{kind}", **params.get("subject", {}))
    return Composed(subject=" ".join(subject.split()), text=parts["txt"], html=parts["html"])


class TemplateRefused(ValueError):
    """An organisation's template that does not render with sample values in the sandbox."""


def check_template(templates_dir: Path, kind: str, sources: dict[str, str], sample: dict[str, Any]) -> None:
    """Render ``sources`` with ``sample`` in both languages; raise :class:`TemplateRefused`
    with the sandbox's reason (an unsafe attribute, an unknown name, a syntax error)."""
    for language in ("vi", "en"):
        try:
            compose(templates_dir, kind, language, sample, sources)
        except Exception as exc:  # whatever an untrusted template raises refuses it
            raise TemplateRefused(f"{type(exc).__name__}: {exc}") from None
