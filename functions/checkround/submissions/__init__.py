"""Units' answers: drafts, validated submissions with idempotency keys, and revisions."""
