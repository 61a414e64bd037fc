"""Routes of ``web_form``: the HTML form a unit opens from its link.

``GET /r/{round}?t=<token>`` trades the link for a session cookie and redirects to the same
page without the token (:mod:`.webform_session` says why and how). The page renders the round's
pinned form with the unit's draft or last submission. Its POST, which must carry the session's
CSRF token, saves a draft (then redirects back), submits through the same service as
``unit_api`` (then redirects to ``/r/{round}/receipt``), or, for a browser without JavaScript,
adds or removes a repeat row and draws the page again without saving anything. Field errors
come back next to their fields with everything typed kept.

``GET /assets/{file}`` serves the page's stylesheet and scripts (from ``templates/webform/
static``), so that the Content-Security-Policy can allow styles and scripts from this function
only. Not ``/static/``: functions-framework's Flask app answers that path itself. The script
evaluates the same JSON Logic rules as the server (relevance, calculations); the server
evaluates them too when it draws a page, so a browser without JavaScript still sees the totals
and which fields are not needed after each save.

Every failure a unit can cause is answered with an HTML page in the page's language.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import jinja2
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from checkround.errors import AppError
from checkround.forms.compiler import CACHE
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.formdata import answers_from_form, empty_rows, repeat_groups, without_row
from checkround.forms.rules import ITEM
from checkround.forms.validate import rule_view
from checkround.rounds.tokens import Principal, authenticate
from checkround.storage.ports import Contention
from checkround.submissions import service as submissions

from .core import Reply, RequestContext, Router, contention_error, read_body
from .webform_session import cookie_name, csrf_matches, csrf_token, seal, unseal

router = Router("web_form")

LANGUAGES = ("vi", "en")
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

_SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}
_PAGE_HEADERS = {**_SECURITY_HEADERS, "Cache-Control": "no-store"}
# Static files are named in pages with a digest of their content (``?v=``), so a browser may
# keep them for a year and still never runs an old script against a new page.
_STATIC_HEADERS = {**_SECURITY_HEADERS, "Cache-Control": "public, max-age=31536000, immutable"}
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_STATIC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\.(css|js)")
# The seed form posts about 120 inputs; a page posts a few per field and per repeat row.
_MAX_POSTED_INPUTS = 5000


@dataclass(frozen=True)
class Session:
    round_id: str
    principal: Principal
    sealed: str  # the cookie value, which the CSRF token is derived from


# -- rendering --------------------------------------------------------------------------------


def _loc(text: Any, lang: str) -> str:
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("vi") or "")
    return str(text or "")


def _plain(value: Any) -> str:
    """An answer as an input shows it: nothing for no answer, 1265.5 and 38 (not 38.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any, lang: str) -> str:
    """A computed number as a person reads it: at most two decimals, a decimal comma in vi."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def _when(moment: Any, zone: str | None) -> str:
    if not isinstance(moment, datetime):
        return ""
    local = moment.astimezone(ZoneInfo(zone or DEFAULT_ZONE))
    offset = local.strftime("%z")
    return f"{local:%H:%M %d/%m/%Y} (UTC{offset[:3]}:{offset[3:]})"


def _messages(errors: Any) -> list[str]:
    """Every message of a nested error, in order."""
    if isinstance(errors, Mapping):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list | tuple):
        return [message for value in errors for message in _messages(value)]
    return [str(errors)]


@jinja2.pass_context
def _num(context: Any, value: Any) -> str:
    return _number(value, context.get("lang", "vi"))


def field_id(*parts: Any) -> str:
    """The element id of a field (``f-section-field``, ``f-section-group-0-sub``): keys are
    ``[a-z][a-z0-9_]*``, so joining them with ``-`` cannot make two fields collide."""
    return "-".join(str(part) for part in parts)


@lru_cache(maxsize=2)
def _env(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals.update(
        widget_of=lambda field: REGISTRY[field["type"]].widget,
        field_id=field_id,
        static_url=lambda name: _static_url(Path(templates_dir), name),
    )
    env.filters.update(loc=_loc, plain=_plain, when=_when, messages=_messages, num=_num)
    return env


def _text(rc: RequestContext) -> dict[str, Any]:
    """The web form's sentences (templates/webform/text.html.j2) in the page's language."""
    env = _env(str(rc.ctx.settings.templates_dir))
    texts: dict[str, dict[str, Any]] = env.get_template("webform/text.html.j2").module.TEXT  # type: ignore[attr-defined]
    return texts[rc.language_for_page]


def _root(rc: RequestContext) -> str:
    """The way from this page back to the function's root, as a relative URL.

    Links, redirects and static files are addressed relative to the page because the function
    cannot know its public prefix (``/web_form`` locally; the front end strips it in the cloud).
    """
    return "../" * (rc.request.path.count("/") - 1)


def _render(rc: RequestContext, template: str, status: int = 200, **values: Any) -> Response:
    env = _env(str(rc.ctx.settings.templates_dir))
    html = env.get_template(template).render(lang=rc.language_for_page, T=_text(rc), root=_root(rc), **values)
    return Response(html, status=status, content_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


def _redirect(rc: RequestContext, target: str, **query: str) -> Response:
    """A 303 to ``target`` (relative to the function's root): after a POST, the browser's
    back and reload buttons then repeat a harmless GET."""
    location = _root(rc) + target + (f"?{urlencode(query)}" if query else "")
    return Response(status=303, headers={**_PAGE_HEADERS, "Location": location})


def _asked_language(rc: RequestContext) -> str | None:
    asked = rc.request.args.get("lang")
    return asked if asked in LANGUAGES else None


def _use_round_language(rc: RequestContext, view: Mapping[str, Any]) -> str:
    """Vietnamese unless the page asks otherwise (``?lang=``) or the round speaks another."""
    round_lang = view["round"].get("language")
    rc.language_for_page = _asked_language(rc) or (round_lang if round_lang in LANGUAGES else "vi")
    return rc.language_for_page


def _error_text(rc: RequestContext) -> dict[str, Any]:
    """An error page speaks ``?lang=``, else the browser's language (Vietnamese when it states
    none): there may be no round to take the language from."""
    rc.language_for_page = _asked_language(rc) or rc.language
    return _text(rc)


def _error_page(rc: RequestContext, exc: AppError, round_id: str | None = None) -> Response:
    text = _error_text(rc)
    response = _render(
        rc,
        "webform/error.html.j2",
        status=exc.status,
        code=exc.code,
        message=exc.message(rc.language_for_page),
        help=text["helps"].get(exc.code, text["error_help"]),
        form_link=None,
    )
    if exc.status == 401 and round_id is not None:
        # A session that no longer authenticates is dropped, so the next link starts clean.
        response.delete_cookie(cookie_name(round_id), path=None, httponly=True, samesite="Lax")
    return response


def _csrf_page(rc: RequestContext, round_id: str) -> Response:
    text = _error_text(rc)
    return _render(
        rc,
        "webform/error.html.j2",
        status=403,
        code="csrf",
        message=text["csrf_message"],
        help=text["csrf_help"],
        form_link=f"{_root(rc)}r/{round_id}?lang={rc.language_for_page}",
    )


# -- static files -----------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _static_file(directory: str, name: str, mtime: float) -> tuple[bytes, str]:
    data = (Path(directory) / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def _static(templates_dir: Path, name: str) -> tuple[bytes, str] | None:
    if not _STATIC_NAME.fullmatch(name):
        return None
    directory = templates_dir / "webform" / "static"
    path = directory / name
    if not path.is_file():
        return None
    # The modification time in the key: an edited file is served (and named) anew at once.
    return _static_file(str(directory), name, path.stat().st_mtime)


def _static_url(templates_dir: Path, name: str) -> str:
    found = _static(templates_dir, name)
    if found is None:
        raise LookupError(f"no static file {name!r}")
    return f"assets/{name}?v={found[1]}"


@router.route("/assets/<name>", ["GET"])
def static_file(rc: RequestContext, name: str) -> Reply:
    found = _static(rc.ctx.settings.templates_dir, name)
    if found is None:
        raise AppError("not_found", what={"vi": "tệp", "en": "File"})
    content_type = _STATIC_TYPES[Path(name).suffix]
    return Response(found[0], content_type=content_type, headers=_STATIC_HEADERS)


# -- sessions ---------------------------------------------------------------------------------


def _is_https(rc: RequestContext) -> bool:
    forwarded = rc.request.headers.get("X-Forwarded-Proto", "")
    return rc.request.is_secure or forwarded == "https" or rc.ctx.settings.public_base_url.startswith("https://")


def _open_link(rc: RequestContext, round_id: str, token: str | None) -> Response:
    """Check the link's token, keep it in the session cookie, and send the browser on to the
    page without it."""
    principal = authenticate(rc.ctx, token)
    # Scope, roster and deadline are checked before any cookie is set.
    submissions.unit_round(rc.ctx, principal, round_id)
    assert token is not None
    asked = _asked_language(rc)
    response = _redirect(rc, f"r/{round_id}", **({"lang": asked} if asked else {}))
    response.set_cookie(
        cookie_name(round_id),
        seal(rc.ctx.settings.token_pepper, round_id, token),
        path=None,  # the browser's default, the folder of the link: see webform_session
        httponly=True,
        secure=_is_https(rc),
        # Lax, not Strict: the link is usually opened from a mail or chat on another site, and
        # a Strict cookie set on that navigation would not come back with its redirect. A
        # cross-site POST still arrives without the cookie, and with no CSRF token.
        samesite="Lax",
    )
    return response


def _session(rc: RequestContext, round_id: str) -> Session:
    sealed = rc.request.cookies.get(cookie_name(round_id))
    token = unseal(rc.ctx.settings.token_pepper, round_id, sealed)
    if token is None or sealed is None:
        raise AppError("unauthenticated")
    return Session(round_id, authenticate(rc.ctx, token), sealed)


def _posted_form(rc: RequestContext) -> MultiDict[str, str]:
    """The urlencoded body, within the body limit (a larger one is a 413 page)."""
    if rc.request.mimetype != "application/x-www-form-urlencoded":
        raise AppError("bad_request", detail="the form must be posted as application/x-www-form-urlencoded")
    raw = read_body(rc.request, rc.ctx.settings.max_body_bytes)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_POSTED_INPUTS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AppError("bad_request", detail="the form post cannot be read") from exc
    return MultiDict(pairs)


# -- the form ---------------------------------------------------------------------------------


def _client_rules(definition: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs to evaluate the form's rules: each field's widget, its
    ``relevant`` and ``calculate`` rules, as the definition states them."""

    def field(f: Mapping[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"key": f["key"], "widget": REGISTRY[f["type"]].widget}
        spec.update({name: f[name] for name in ("relevant", "calculate") if f.get(name) is not None})
        if f.get("fields"):
            spec["fields"] = [field(sub) for sub in f["fields"]]
        return spec

    return {
        "item": ITEM,
        "sections": [
            {"key": s["key"], "relevant": s.get("relevant"), "fields": [field(f) for f in s["fields"]]}
            for s in definition["sections"]
        ],
    }


def _preview(view: Mapping[str, Any], values: Mapping[str, Any], lang: str) -> tuple[dict[str, Any], set[str]]:
    """What the rules say about the answers as the page shows them: ``(calculated values by
    name, names of the fields not relevant)``.

    The answers are typed by the form's draft schema first (the page posts strings, and the
    string "false" is true to JSON Logic); values that do not convert are left out.
    """
    definition = view["form"]
    schema = CACHE.get(definition["id"], view["form_version"], definition, lang, draft=True)
    try:
        data: dict[str, Any] = schema.load(values)
    except ValidationError as exc:
        data = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    return rule_view(definition, data)


def _error_summary(definition: Mapping[str, Any], errors: Mapping[Any, Any], lang: str) -> list[dict[str, Any]]:
    """One line per field in error, linking to it: a long form on a phone shows its top."""
    summary = []
    for section in definition["sections"]:
        found = errors.get(section["key"])
        if not isinstance(found, Mapping):
            continue
        for f in section["fields"]:
            field_errors = found.get(f["key"])
            if field_errors is None:
                continue
            anchor = field_id("f", section["key"], f["key"])
            rows = field_errors if REGISTRY[f["type"]].container and isinstance(field_errors, Mapping) else {}
            if not rows:
                summary.append({"anchor": anchor, "label": _loc(f["label"], lang), "messages": _messages(field_errors)})
            for index, row_errors in rows.items():
                if not (isinstance(index, int) and isinstance(row_errors, Mapping)):
                    continue
                for sub in f["fields"]:
                    if sub["key"] in row_errors:
                        summary.append(
                            {
                                "anchor": field_id(anchor, index, sub["key"]),
                                "label": f"{_loc(f['label'], lang)} ({index + 1}): {_loc(sub['label'], lang)}",
                                "messages": _messages(row_errors[sub["key"]]),
                            }
                        )
    return summary


def _stored_answers(view: Mapping[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = view["draft"] or (view["submission"] or {}).get("answers") or {}
    return answers


def _form_page(
    rc: RequestContext,
    session: Session,
    view: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    errors: Mapping[Any, Any] | None = None,
    failure: AppError | None = None,
    notice: str | None = None,
    blanks: Mapping[str, int] | None = None,
) -> Response:
    lang = rc.language_for_page
    calculated, not_relevant = _preview(view, values, lang)
    returned = view["returned"] or {}
    errors = errors or {}
    status = failure.status if failure is not None else 200
    return _render(
        rc,
        "webform/form.html.j2",
        status=status,
        view=view,
        values=values,
        errors=errors,
        error_summary=_error_summary(view["form"], errors, lang),
        notice=failure.message(lang) if failure is not None else notice,
        notice_is_error=failure is not None,
        readonly=view["round"]["status"] != "open",
        returned_comments=returned.get("comments") or {},
        calculated=calculated,
        not_relevant=not_relevant,
        blanks=blanks or {},
        rules=_client_rules(view["form"]),
        csrf=csrf_token(rc.ctx.settings.token_pepper, session.sealed),
        # A fresh key per page drawn: the same page sent twice (a double tap on a slow
        # network) stores one revision.
        submission_key=secrets.token_urlsafe(16),
    )


def _submit(rc: RequestContext, session: Session, answers: dict[str, Any], key: str | None) -> None:
    body = {"answers": answers}
    args = (rc.ctx, session.principal, session.round_id, body)
    try:
        submissions.submit(*args, key or None, rc.language_for_page)
    except AppError as exc:
        if exc.code != "idempotency_conflict":
            raise
        # The same page sent again with other answers (back, edit, send): a new revision.
        submissions.submit(*args, None, rc.language_for_page)


def _post(rc: RequestContext, session: Session, view: Mapping[str, Any]) -> Response:
    form = _posted_form(rc)
    if not csrf_matches(rc.ctx.settings.token_pepper, session.sealed, form.get("csrf")):
        return _csrf_page(rc, session.round_id)
    definition = view["form"]
    values = answers_from_form(definition, form)
    verb, _, target = (form.get("action") or "submit").partition(":")
    groups = repeat_groups(definition)
    if verb == "add" and target in groups:
        blanks = {target: empty_rows(definition, form).get(target, 0) + 1}
        return _form_page(rc, session, view, values, blanks=blanks)
    if verb == "remove":
        group, _, index = target.rpartition(".")
        if group in groups and index.isdigit():
            values = answers_from_form(definition, without_row(form, group, int(index)))
        return _form_page(rc, session, view, values)
    if verb not in ("draft", "submit"):
        return _form_page(rc, session, view, values)  # an action of another page: save nothing
    try:
        if verb == "draft":
            submissions.save_draft(
                rc.ctx, session.principal, session.round_id, {"answers": values}, rc.language_for_page
            )
            return _redirect(rc, f"r/{session.round_id}", lang=rc.language_for_page, saved="draft")
        _submit(rc, session, values, form.get("submission_key"))
        return _redirect(rc, f"r/{session.round_id}/receipt", lang=rc.language_for_page)
    except AppError as exc:
        return _form_page(rc, session, view, values, errors=exc.fields, failure=exc)
    except Contention as exc:
        # The page keeps its submission key, so sending it again is stored at most once.
        return _form_page(rc, session, view, values, failure=contention_error(exc))


@router.route("/r/<id:round_id>", ["GET", "POST"])
def form_page(rc: RequestContext, round_id: str) -> Reply:
    try:
        if rc.request.method == "GET" and "t" in rc.request.args:
            return _open_link(rc, round_id, rc.request.args.get("t"))
        session = _session(rc, round_id)
        view = submissions.get_form_for_unit(rc.ctx, session.principal, round_id)
        _use_round_language(rc, view)
        if rc.request.method == "POST":
            return _post(rc, session, view)
    except AppError as exc:
        return _error_page(rc, exc, round_id)
    saved = rc.request.args.get("saved") == "draft" and view["draft"] is not None
    return _form_page(rc, session, view, _stored_answers(view), notice=_text(rc)["draft_saved"] if saved else None)


@router.route("/r/<id:round_id>/receipt", ["GET"])
def receipt_page(rc: RequestContext, round_id: str) -> Reply:
    try:
        session = _session(rc, round_id)
        view = submissions.get_form_for_unit(rc.ctx, session.principal, round_id)
    except AppError as exc:
        return _error_page(rc, exc, round_id)
    lang = _use_round_language(rc, view)
    if view["submission"] is None:
        return _redirect(rc, f"r/{round_id}", lang=lang)
    return _render(rc, "webform/receipt.html.j2", view=view, submission=view["submission"])
