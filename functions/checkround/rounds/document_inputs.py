"""Request bodies of the committee's official document (marshmallow; the OpenAPI source).

:class:`DocumentPartsInput` is the administrative layout's parts, set for the organisation
(``PUT /document-settings``), for a round (its ``document`` field) or on a round's draft; every
part is optional, and a part not set anywhere takes the product's default
(:mod:`checkround.reports.document`). :class:`DocumentEditInput` is the committee's edit of a
draft; :class:`IssueInput` what issuing takes.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from checkround.forms.definition import LocalizedSchema
from checkround.inputs_common import FullMatch

NARRATIVE_PARTS = ("overall", "however", "direction", "closing")
_TEXT = validate.Length(max=20_000)


class DocumentPartsInput(Schema):
    class Meta:
        unknown = RAISE

    parent_body = fields.Nested(
        LocalizedSchema, metadata={"description": "The line above the body's name: ĐOÀN TNCS HỒ CHÍ MINH."}
    )
    issuing_body = fields.Nested(
        LocalizedSchema, metadata={"description": "The issuing body's name: BAN CHẤP HÀNH TỈNH ĐOÀN QUẢNG NINH."}
    )
    number_suffix = fields.String(
        validate=FullMatch(r"[^\s/][^\s]{0,39}"),
        metadata={"description": "What follows the number: BC/TĐTN gives 'Số: 15-BC/TĐTN'."},
    )
    place = fields.Nested(LocalizedSchema, metadata={"description": "The place of the date line: Quảng Ninh."})
    kind = fields.Nested(LocalizedSchema, metadata={"description": "The document's kind in its title: BÁO CÁO."})
    subject = fields.Nested(
        LocalizedSchema, metadata={"description": "The title's subject (default: the round's title)."}
    )
    on_behalf = fields.Nested(LocalizedSchema, metadata={"description": "T/M BAN THƯỜNG VỤ."})
    signer_title = fields.Nested(LocalizedSchema, metadata={"description": "The signer's title: PHÓ BÍ THƯ."})
    signer_name = fields.String(validate=validate.Length(min=1, max=200))
    recipients = fields.List(
        fields.Nested(LocalizedSchema),
        validate=validate.Length(max=30),
        metadata={"description": "The lines of 'Nơi nhận', in order."},
    )


class NarrativeInput(Schema):
    class Meta:
        unknown = RAISE

    overall = fields.String(validate=_TEXT, allow_none=True, metadata={"description": "Nhìn chung."})
    however = fields.String(validate=_TEXT, allow_none=True, metadata={"description": "Tuy nhiên."})
    direction = fields.String(validate=_TEXT, allow_none=True, metadata={"description": "Phương hướng."})
    closing = fields.String(validate=_TEXT, allow_none=True, metadata={"description": "The closing paragraph."})


class DocumentEditInput(Schema):
    """A draft's edit: parts and narrative given replace the draft's; null puts a narrative part
    back to the text the product writes from the data. Paragraphs are separated by a blank line."""

    class Meta:
        unknown = RAISE

    parts = fields.Nested(DocumentPartsInput)
    narrative = fields.Nested(NarrativeInput)


class DocumentSettingsInput(Schema):
    class Meta:
        unknown = RAISE

    parts = fields.Nested(DocumentPartsInput, required=True)


class IssueInput(Schema):
    class Meta:
        unknown = RAISE

    number = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=99_999),
        metadata={"description": "The number from the office's register; default: the next of the year."},
    )
    issued_on = fields.Date(metadata={"description": "The date it bears (default: today in the round's time zone)."})
