"""Request bodies of the recommendation routes and of a unit's follow-up answers, as
marshmallow schemas (the OpenAPI source)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from checkround.forms.definition import LocalizedSchema
from checkround.inputs_common import PATH_ID, FullMatch

# What a recommendation's life goes through; "done" and "dropped" close it.
STATUSES = ("open", "done", "dropped")
# What a unit says of a recommendation in the next round.
FOLLOW_UP_STATUSES = ("done", "in_progress", "not_started")
# A field of the round's form, "section.field".
FIELD_PATH = r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"
MAX_NOTE = 2000


class RecommendationInput(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.String(required=True, validate=FullMatch(PATH_ID))
    text = fields.Nested(LocalizedSchema, required=True)
    field = fields.String(
        validate=FullMatch(FIELD_PATH, error="Give the field as section.field."),
        metadata={"description": "The form field it is about, `section.field` (must exist in the round's form)."},
    )
    due_date = fields.Date(metadata={"description": "ISO date (YYYY-MM-DD)."})


class RecommendationPatch(Schema):
    class Meta:
        unknown = RAISE

    text = fields.Nested(LocalizedSchema)
    due_date = fields.Date(allow_none=True, metadata={"description": "ISO date; null removes it."})
    status = fields.String(validate=validate.OneOf(STATUSES))


class FollowUpAnswer(Schema):
    """What a unit says of one recommendation of the previous round."""

    class Meta:
        unknown = RAISE

    status = fields.String(
        validate=validate.OneOf(FOLLOW_UP_STATUSES), allow_none=True, metadata={"enum": list(FOLLOW_UP_STATUSES)}
    )
    note = fields.String(validate=validate.Length(max=MAX_NOTE), allow_none=True)
