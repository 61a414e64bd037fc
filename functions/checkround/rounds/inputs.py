"""Request bodies of the unit and round routes, as marshmallow schemas (the OpenAPI source)."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from checkround.formats.zones import DEFAULT_ZONE
from checkround.forms.definition import ID_PATTERN, LocalizedSchema
from checkround.inputs_common import EmailAddress, FullMatch

from .document_inputs import DocumentPartsInput

_ID = FullMatch(ID_PATTERN)

# A unit's contacts: each one is sent its own link, so a long list multiplies every message.
MAX_CONTACTS = 5
# Minutes before a round's closes_at at which its units that have not submitted are reminded.
DEFAULT_REMINDERS = (3 * 24 * 60, 24 * 60)


class ContactInput(Schema):
    """A person to reach: whom a unit asks about the round (its web form names them when a
    link no longer opens it), or one of a unit's own contacts, who get its links, reminders and
    results (see docs/notifications.md): a name, and a phone number or an e-mail address or
    both."""

    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phone = fields.String(validate=FullMatch(r"\+?[0-9][0-9 ().-]{5,24}", error="Not a valid phone number."))
    email = EmailAddress()

    @validates_schema(skip_on_field_errors=True)
    def _reachable(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("phone") and not data.get("email"):
            raise ValidationError({"_schema": ["A contact needs a phone number or an e-mail address."]})


class UnitInput(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(validate=validate.Length(max=300))
    cluster = fields.String(validate=_ID, allow_none=True)
    kind = fields.String(validate=validate.Length(max=50), allow_none=True)
    # Who receives the unit's messages; at most a handful (each gets its own link).
    contacts = fields.List(fields.Nested(ContactInput), validate=validate.Length(max=MAX_CONTACTS))


class RoundInput(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(validate=_ID)
    title = fields.Nested(LocalizedSchema, required=True)
    form_id = fields.String(required=True, validate=_ID)
    form_version = fields.Integer(strict=True, validate=validate.Range(min=1))
    unit_ids = fields.List(fields.String(validate=_ID), required=True, validate=validate.Length(min=1, max=5000))
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)
    grace_minutes = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=60 * 24 * 30))
    time_zone = fields.String(load_default=DEFAULT_ZONE)
    language = fields.String(load_default="vi", validate=validate.OneOf(["vi", "en"]))
    issuing_body = fields.Nested(LocalizedSchema)
    theme = fields.Nested(LocalizedSchema)
    inspection_team = fields.List(fields.Nested(LocalizedSchema), validate=validate.Length(max=50))
    clusters = fields.Dict(keys=fields.String(validate=_ID), values=fields.Nested(LocalizedSchema))
    contact = fields.Nested(ContactInput)
    # When units that have not submitted are reminded: minutes before closes_at (the default
    # three days and one day); one more reminder goes out during the grace period.
    reminders_before_minutes = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=60 * 24 * 90)),
        load_default=lambda: list(DEFAULT_REMINDERS),
        validate=validate.Length(max=10),
    )
    # The parts of the committee's official document for this round (reports/document.py).
    document = fields.Nested(DocumentPartsInput)
    previous_round_id = fields.String(
        validate=_ID,
        metadata={"description": "The closed round this one follows (its series: recommendations, comparison)."},
    )

    @validates_schema(skip_on_field_errors=True)
    def _window(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["closes_at"] <= data["opens_at"]:
            raise ValidationError({"closes_at": ["closes_at must be after opens_at."]})
        if data["time_zone"] not in available_timezones():
            raise ValidationError({"time_zone": ["Unknown IANA time zone."]})
        if len(set(data["unit_ids"])) != len(data["unit_ids"]):
            raise ValidationError({"unit_ids": ["A unit appears twice."]})

    @post_load
    def _to_utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["opens_at"] = data["opens_at"].astimezone(UTC)
        data["closes_at"] = data["closes_at"].astimezone(UTC)
        ZoneInfo(data["time_zone"])
        return data


class TokensInput(Schema):
    class Meta:
        unknown = RAISE

    unit_ids = fields.List(fields.String(validate=_ID), validate=validate.Length(max=5000))
    # Reissuing: the new link replaces the old ones instead of adding to them.
    revoke_previous = fields.Boolean(load_default=False)


class ReopenInput(Schema):
    class Meta:
        unknown = RAISE

    closes_at = fields.AwareDateTime()
    grace_minutes = fields.Integer(strict=True, validate=validate.Range(min=0, max=60 * 24 * 30))

    @post_load
    def _to_utc(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "closes_at" in data:
            data["closes_at"] = data["closes_at"].astimezone(UTC)
        return data


class ReturnInput(Schema):
    """An admin's comments on a submission, per field (``"section.field"``), to its unit."""

    class Meta:
        unknown = RAISE

    comments = fields.Dict(
        keys=fields.String(validate=FullMatch(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")),
        values=fields.String(validate=validate.Length(min=1, max=2000)),
        required=True,
        validate=validate.Length(max=500),
    )
    message = fields.String(validate=validate.Length(max=4000))
    # The revision the admin looked at: if the unit has sent another since, nothing happens.
    revision = fields.Integer(strict=True, validate=validate.Range(min=1))


class AcceptInput(Schema):
    """An admin accepts a unit's latest submission, optionally with a word to the unit."""

    class Meta:
        unknown = RAISE

    message = fields.String(validate=validate.Length(max=4000))
    # The revision the admin looked at: if the unit has sent another since, nothing happens.
    revision = fields.Integer(strict=True, validate=validate.Range(min=1))


class AdminTokenInput(Schema):
    """A new admin token: who or what it is for, and how many days it lives."""

    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Integer(strict=True, load_default=30, validate=validate.Range(min=1, max=365))
