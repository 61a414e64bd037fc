"""Meta-validation of form definitions as admins write them.

:func:`check_definition` returns the cleaned definition or raises ``invalid_definition`` with
marshmallow's nested error shape, so every mistake is addressed by its path
(``{"sections": {0: {"fields": {2: {"max": [...]}}}}}``).
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from checkround.errors import AppError
from checkround.formats.text import LANGUAGES
from checkround.inputs_common import FullMatch, error_fields

from .definition_messages import bilingual_errors, said
from .fieldtypes import ALL_OPTIONS, MAX_ROWS_CEILING, REGISTRY, SCORE_RULES, IsoDate
from .fillers import check_fillers
from .references import check_references
from .rules import MAX_DEPTH, inspect_rule

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"
ROLES = ("strengths", "shortcomings", "proposals")
APPEARANCES = ("buttons", "list")
# A form's own appearance: "pages" asks the web form for one section per page (docs/form-language.md).
FORM_APPEARANCES = ("pages",)
# Who fills a section or field in (forms/fillers.py): the unit, or the inspection team in review.
FILLERS = ("unit", "reviewer")
MAX_DEFINITION_BYTES = 1024 * 1024


def _rule(value: Any) -> None:
    """Shape only (operators, size, literal paths); what a rule reads is checked per form."""
    problems = inspect_rule(value).problems
    if problems:
        raise ValidationError(list(problems))


def _bool_or_rule(value: Any) -> None:
    if not isinstance(value, bool):
        if not isinstance(value, dict):
            raise ValidationError(said("required_shape"))
        _rule(value)


class LocalizedSchema(Schema):
    """A text in each language; Vietnamese is the form's first language and is required."""

    class Meta:
        unknown = RAISE

    vi = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    en = fields.String(validate=validate.Length(max=2000))


def _localized(**kwargs: Any) -> fields.Nested:
    return fields.Nested(LocalizedSchema, **kwargs)


class ChoiceSchema(Schema):
    class Meta:
        unknown = RAISE

    value = fields.String(required=True, validate=FullMatch(r"^[a-z0-9_]{1,64}$"))
    label = _localized(required=True)


class FieldDefSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(required=True, validate=FullMatch(KEY_PATTERN))
    type = fields.String(required=True, validate=validate.OneOf(sorted(REGISTRY)))
    label = _localized(required=True)
    hint = _localized()
    # true/false, or a JSON Logic rule that decides it from other answers
    required = fields.Raw(validate=_bool_or_rule)
    role = fields.String(validate=validate.OneOf(ROLES))
    # The key this field had in the previous version ("key", or "section.key" if it moved).
    renamed_from = fields.String(validate=FullMatch(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$"))
    relevant = fields.Raw(validate=_rule)
    constraint = fields.Raw(validate=_rule)
    constraint_message = _localized()
    # Who fills it in (default: as its section says); a reviewer field's display to the unit.
    filled_by = fields.String(validate=validate.OneOf(FILLERS))
    shown_to_unit = fields.Boolean()
    # Type-specific options: declared once here, allowed per type by the registry.
    min = fields.Float(allow_nan=False)
    max = fields.Float(allow_nan=False)
    # A date field's first and last allowed day, as ISO text (stored as the answers are).
    min_date = IsoDate()
    max_date = IsoDate()
    min_length = fields.Integer(strict=True, validate=validate.Range(min=0))
    max_length = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    min_items = fields.Integer(strict=True, validate=validate.Range(min=0))
    max_items = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ROWS_CEILING))
    unit = _localized()
    choices = fields.List(fields.Nested(ChoiceSchema))
    choice_set = fields.String(validate=FullMatch(KEY_PATTERN))
    # How a choice field is drawn: ``buttons`` (radios or checkboxes, one tap each) or ``list``
    # (a select, or a list with a search box); without it, a few choices are buttons and a long
    # list is a list.
    appearance = fields.String(validate=validate.OneOf(APPEARANCES))
    max_score = fields.Float(allow_nan=False)
    # A checklist item: the unit's self-assessment beside the team's (forms/fillers.py), and
    # whether its score must agree with its result (fieldtypes.score_disagreement).
    self_assessment = fields.Boolean()
    score_rule = fields.String(validate=validate.OneOf(SCORE_RULES))
    scale = fields.Integer(strict=True, validate=validate.Range(min=2, max=10))
    calculate = fields.Raw(validate=_rule)
    # The sub-fields of a repeat group ("fields" would shadow Schema.fields).
    fields_ = fields.List(
        fields.Nested(lambda: FieldDefSchema()),
        data_key="fields",
        attribute="fields",
        validate=validate.Length(max=100),
    )

    @post_load
    def _whole_numbers(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # JSON has one number type; keep 5 as 5 (not 5.0) so messages read naturally.
        for option in ("min", "max", "max_score"):
            value = data.get(option)
            if isinstance(value, float) and value.is_integer():
                data[option] = int(value)
        return data

    @validates_schema(skip_on_field_errors=True)
    def _check_type_options(self, data: dict[str, Any], **kwargs: Any) -> None:
        field_type = REGISTRY[data["type"]]
        errors: dict[str, Any] = {
            option: [said("option_not_for_type", option=option, type=field_type.name)]
            for option in sorted(ALL_OPTIONS & data.keys() - field_type.options)
        }
        if data.get("role") and not field_type.roles:
            errors["role"] = [said("role_needs_text")]
        if field_type.container:
            nested = [i for i, sub in enumerate(data.get("fields") or []) if REGISTRY[sub["type"]].container]
            if nested:
                errors["fields"] = {i: {"type": [said("nested_repeat")]} for i in nested}
            own = [i for i, sub in enumerate(data.get("fields") or []) if "filled_by" in sub or "shown_to_unit" in sub]
            if own:
                errors.setdefault("fields", {}).update({i: {"filled_by": [said("filled_by_in_group")]} for i in own})
            errors.update(_duplicates_error(data.get("fields") or [], "field"))
        if data.get("constraint_message") and data.get("constraint") is None:
            errors["constraint_message"] = [said("message_needs_constraint")]
        errors.update(field_type.check(data))
        if errors:
            raise ValidationError(errors)


def _duplicates_error(items: Any, what: str) -> dict[str, Any]:
    errors = _duplicates(items, what)
    return {"fields": errors} if errors else {}


def _duplicates(items: Any, what: str) -> dict[int, dict[str, list[str]]]:
    """Duplicate keys, found in the raw input so they are reported beside any other error."""
    seen: set[str] = set()
    errors: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items if isinstance(items, list) else []):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str):
            continue
        if key in seen:
            errors[index] = {"key": [said(f"duplicate_{what}_key", key=key)]}
        seen.add(str(key))
    return errors


class SectionSchema(Schema):
    class Meta:
        unknown = RAISE

    key = fields.String(required=True, validate=FullMatch(KEY_PATTERN))
    title = _localized(required=True)
    description = _localized()
    relevant = fields.Raw(validate=_rule)
    filled_by = fields.String(validate=validate.OneOf(FILLERS))
    shown_to_unit = fields.Boolean()
    # "fields" would shadow Schema.fields, hence the attribute name and the data key.
    fields_ = fields.List(
        fields.Nested(FieldDefSchema),
        required=True,
        validate=validate.Length(min=1),
        data_key="fields",
        attribute="fields",
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unique_keys(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        # ``original`` is what was sent, which may be no object at all (its type error is
        # reported by marshmallow already).
        errors = _duplicates_error(original.get("fields"), "field") if isinstance(original, dict) else None
        if errors:
            raise ValidationError(errors)

    @validates_schema(skip_on_field_errors=True)
    def _fillers(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = check_fillers(data)
        if errors:
            raise ValidationError(errors)


class FormDefinitionSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=FullMatch(ID_PATTERN))
    title = _localized(required=True)
    description = _localized()
    languages = fields.List(fields.String(validate=validate.OneOf(LANGUAGES)), validate=validate.Length(min=1))
    choice_sets = fields.Dict(
        keys=fields.String(validate=FullMatch(KEY_PATTERN)),
        values=fields.List(fields.Nested(ChoiceSchema), validate=validate.Length(min=1, max=500)),
    )
    sections = fields.List(fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1))
    appearance = fields.String(validate=validate.OneOf(FORM_APPEARANCES))

    def __init__(self, max_fields: int = 500, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_fields = max_fields

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _form_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        sections = original.get("sections")
        errors = _duplicates(sections, "section")
        if errors:
            raise ValidationError({"sections": errors})
        count = (
            sum(_count_fields(section.get("fields")) for section in sections if isinstance(section, dict))
            if isinstance(sections, list)
            else 0
        )
        if count > self.max_fields:
            raise ValidationError({"sections": [said("too_many_fields", limit=self.max_fields, count=count)]})

    @validates_schema(skip_on_field_errors=True)
    def _references(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = check_references(data)
        if errors:
            raise ValidationError(errors)


def _count_fields(items: Any) -> int:
    """Fields of a raw definition, sub-fields of repeat groups included."""
    if not isinstance(items, list):
        return 0
    return sum(1 + _count_fields(item.get("fields")) for item in items if isinstance(item, dict))


def check_definition(raw: Any, max_fields: int = 500, form_id: str | None = None) -> dict[str, Any]:
    """Validate an admin's definition; return it cleaned or raise ``invalid_definition``."""
    if not isinstance(raw, dict):
        raise AppError("invalid_definition", fields={"_schema": [said("not_object")]})
    # The body limit usually stops a huge definition first; this holds whatever that limit is.
    try:
        size = len(json.dumps(raw, ensure_ascii=False, default=str).encode())
    except RecursionError:
        # Only a rule nests this deep (see rules.inspect_rule): refused, not a 500.
        raise AppError("invalid_definition", fields={"_schema": [said("rule_too_deep", limit=MAX_DEPTH)]}) from None
    if size > MAX_DEFINITION_BYTES:
        message = said("too_big", limit=MAX_DEFINITION_BYTES, size=size)
        raise AppError("invalid_definition", fields={"_schema": [message]})
    try:
        cleaned: dict[str, Any] = FormDefinitionSchema(max_fields=max_fields).load(raw)
    except ValidationError as exc:
        raise AppError("invalid_definition", fields=bilingual_errors(error_fields(exc))) from exc
    if form_id is not None and cleaned["id"] != form_id:
        raise AppError("invalid_definition", fields={"id": [said("wrong_id", form_id=form_id)]})
    cleaned.setdefault("languages", ["vi", "en"])
    return cleaned
