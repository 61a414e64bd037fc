"""Form definitions: the model admins edit, its meta-validation, the field-type registry,
the compiler to marshmallow, and the diff between published versions."""
