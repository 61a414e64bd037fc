"""The request body of a unit's draft and submission, as a marshmallow schema (the OpenAPI source).

The answers themselves are validated against the round's pinned form
(:func:`checkround.forms.validate.check_answers`, in the request's language), not here: this
schema checks the body around them.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from checkround.inputs_common import PATH_ID, FullMatch


class SubmissionInput(Schema):
    class Meta:
        unknown = RAISE

    # Raw: any JSON reaches check_answers, which refuses a non-object in the request's language.
    answers = fields.Raw(
        required=True, metadata={"type": "object", "description": "Answers keyed by section, then field key."}
    )
    # Raw for the same reason: checked against the unit's recommendations (followup.answers).
    follow_up = fields.Raw(
        load_default=None,
        metadata={
            "type": "object",
            "description": "In a round that follows another: {recommendation id: {status: done | in_progress | "
            "not_started, note?}} for the previous round's recommendations the form lists.",
        },
    )
    unit_id = fields.String(
        validate=FullMatch(PATH_ID),
        metadata={"description": "Optional; if it is not the token's unit the answer is 403."},
    )
