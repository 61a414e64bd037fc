"""Request bodies of the committee's official document (marshmallow; the OpenAPI source).

:class:`DocumentPartsInput` is the administrative layout's parts, set for the organisation
(``PUT /document-settings``), for a round (its ``document`` field) or on a round's draft; every
part is optional, and a part not set anywhere takes the product's default
(:mod:`checkround.reports.document`). :class:`DocumentEditInput` is the committee's edit of a
draft; :class:`IssueInput` what issuing takes.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from checkround.formats.text import Bilingual

NARRATIVE_PARTS = ("overall", "however", "direction", "closing")
_TEXT = validate.Length(max=20_000)
_SUFFIX = re.compile(r"[^\s/][^\s]{0,39}")


def _line(limit: int) -> Any:
    """A validator of one printed line: some text, at most ``limit`` characters, no control
    character (the DOCX writer refuses them, and they print as nothing). Its messages are in
    both languages, as the console shows them next to the field."""

    def check(value: str) -> None:
        if not value.strip():
            raise ValidationError(Bilingual("Hãy nhập nội dung.", "Enter some text."))
        if len(value) > limit:
            raise ValidationError(Bilingual(f"Không được quá {limit} ký tự.", f"At most {limit} characters."))
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            raise ValidationError(Bilingual("Không được chứa ký tự điều khiển.", "No control characters."))

    return check


def _suffix(value: str) -> None:
    if _SUFFIX.fullmatch(value) is None:
        raise ValidationError(
            Bilingual(
                "Viết liền, không có khoảng trắng, không bắt đầu bằng “/” (ví dụ BC/TĐTN).",
                "One word without spaces, not starting with “/” (e.g. BC/TĐTN).",
            )
        )


def _at_most_30(value: list[Any]) -> None:
    if len(value) > 30:
        raise ValidationError(Bilingual("Tối đa 30 nơi nhận.", "At most 30 recipients."))


class PartTextInput(Schema):
    """A part's text in each language; Vietnamese, every text's first language, is required."""

    class Meta:
        unknown = RAISE

    vi = fields.String(required=True, validate=_line(2000))
    en = fields.String(validate=_line(2000))


class DocumentPartsInput(Schema):
    """The parts; a part given as null is not set at this level (the level below applies)."""

    class Meta:
        unknown = RAISE

    parent_body = fields.Nested(
        PartTextInput,
        allow_none=True,
        metadata={"description": "The line above the body's name: ĐOÀN TNCS HỒ CHÍ MINH."},
    )
    issuing_body = fields.Nested(
        PartTextInput,
        allow_none=True,
        metadata={"description": "The issuing body's name: BAN CHẤP HÀNH TỈNH ĐOÀN QUẢNG NINH."},
    )
    number_suffix = fields.String(
        validate=_suffix,
        allow_none=True,
        metadata={"description": "What follows the number: BC/TĐTN gives 'Số: 15-BC/TĐTN'."},
    )
    place = fields.Nested(
        PartTextInput, allow_none=True, metadata={"description": "The place of the date line: Quảng Ninh."}
    )
    kind = fields.Nested(
        PartTextInput, allow_none=True, metadata={"description": "The document's kind in its title: BÁO CÁO."}
    )
    subject = fields.Nested(
        PartTextInput, allow_none=True, metadata={"description": "The title's subject (default: the round's title)."}
    )
    on_behalf = fields.Nested(PartTextInput, allow_none=True, metadata={"description": "T/M BAN THƯỜNG VỤ."})
    signer_title = fields.Nested(
        PartTextInput, allow_none=True, metadata={"description": "The signer's title: PHÓ BÍ THƯ."}
    )
    signer_name = fields.String(validate=_line(200), allow_none=True)
    recipients = fields.List(
        fields.Nested(PartTextInput),
        validate=_at_most_30,
        allow_none=True,
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
