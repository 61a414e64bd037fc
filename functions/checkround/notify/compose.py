"""Messages from templates: ``templates/notify/<kind>.txt.j2`` (the plain-text part) and
``<kind>.html.j2`` (the HTML part), in a sandboxed Jinja2 environment.

The sandbox matters because an organisation may replace a template through the API
(:func:`check_template`): a template sees only the values it is given (the message's
parameters, the catalogue ``t`` and the link), an attribute the sandbox deems unsafe
(``__class__``, ``__globals__``…) or a name it was not given is an error (``StrictUndefined``),
and the HTML part is autoescaped, so a unit's name cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

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


# What an organisation's template may build with * and **: a separator line, not a gigabyte.
MAX_PRODUCT = 10_000


class OrganisationSandbox(SandboxedEnvironment):
    """The sandbox of organisations' own templates, tighter than the shipped ones': no globals
    (no ``range``, ``lipsum``, ``cycler``…, so no loop that the data does not bound), and
    ``*`` and ``**`` that refuse to build anything large (Jinja2's documented
    ``intercepted_binops`` and ``call_binop``)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the ** operator is not allowed in a message template")
        if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
            count = right if isinstance(left, str | list | tuple) else left
            size = len(left if isinstance(left, str | list | tuple) else right)
            if not isinstance(count, int) or count * size > MAX_PRODUCT:
                raise SecurityError(f"a repetition longer than {MAX_PRODUCT} is not allowed in a message template")
        return super().call_binop(context, operator, left, right)


@cache
def organisation_environment() -> OrganisationSandbox:
    env = OrganisationSandbox(
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    env.globals.clear()
    return env


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
        if source and part == "html":
            # A string has no name to choose autoescaping by: an HTML override is escaped too.
            template = organisation_environment().from_string("{% autoescape true %}" + source + "{% endautoescape %}")
        elif source:
            template = organisation_environment().from_string(source)
        else:
            template = env.get_template(f"{kind}.{part}.j2")
        parts[part] = template.render(values)
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
