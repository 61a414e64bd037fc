"""Loading request bodies with marshmallow and turning its errors into ``validation_failed``."""

from __future__ import annotations

from typing import Any, overload

from email_validator import EmailNotValidError, validate_email
from marshmallow import Schema, ValidationError, fields, validate

from .errors import AppError

# An id in a path (``/rounds/<id:round_id>``) and wherever a body names one: what the services
# create, and nothing Firestore would refuse as a document id (``..``, ``__x__``, slashes).
PATH_ID = r"[a-z0-9][a-z0-9_-]{0,127}"


class FullMatch(validate.Regexp):
    """marshmallow's ``Regexp``, matched against the whole string: ``Regexp`` uses ``re.match``,
    where ``$`` also matches before a final newline, so ``"r1\\n"`` passed ``^[a-z0-9]+$``.
    A subclass, so that apispec still publishes the pattern in the OpenAPI document."""

    @overload
    def __call__(self, value: str) -> str: ...

    @overload
    def __call__(self, value: bytes) -> bytes: ...

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self.error.format(input=value, regex=self.regex.pattern))
        return value


class EmailAddress(fields.String):
    """An e-mail address checked by email-validator (the syntax of RFC 5321/5322, without any
    DNS lookup) and stored in its normalised ASCII form (the domain lower-cased, an
    internationalised domain in its IDNA form), so that any SMTP server can be given it: an
    address whose mailbox part needs SMTPUTF8 is refused, since not every relay takes one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 254:
            raise ValidationError("An e-mail address has at most 254 characters.")
        try:
            checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError as exc:
            raise ValidationError(f"Not a valid e-mail address: {exc}") from None
        return str(checked.ascii_email or checked.normalized)


def error_fields(exc: ValidationError) -> dict[str, Any]:
    """marshmallow's nested ``field -> messages`` dict, which the API returns as is."""
    messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
    return messages


def load(schema: Schema, body: Any, subject: str) -> dict[str, Any]:
    """The body loaded by ``schema``; ``subject`` names what a refusal refused (see
    :data:`checkround.errors.CATALOG`'s ``validation_failed``)."""
    if not isinstance(body, dict):
        raise AppError(
            "bad_request", detail={"vi": "nội dung phải là một đối tượng JSON", "en": "the body must be a JSON object"}
        )
    try:
        data: dict[str, Any] = schema.load(body)
    except ValidationError as exc:
        raise AppError("validation_failed", fields=error_fields(exc), subject=subject) from exc
    return data
