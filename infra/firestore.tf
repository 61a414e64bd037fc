resource "google_firestore_database" "default" {
  name                              = "(default)"
  location_id                       = local.firestore_location
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "PESSIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON"

  depends_on = [time_sleep.apis_enabled]
}

# The queries the code runs (grep "Where(" functions/):
#   tokens   where round_id == R and unit_id in [...]      (rounds/service.py, token revocation)
#   rounds   where status == "open"                         (close_due_rounds: one field, automatic index)
#   rounds/*/submissions where submission_id in [...]      (exports: one field, automatic index)
#   rounds/*/submissions where form_version < / > V        (exports: one field, automatic index)
#   rounds/*/submissions where submitted_at > A and <= B   (notify digests: one field, automatic index)
#   outbox   where due_at <= now                            (the notify sweep: one field, automatic index)
#   outbox   where round_id == R [and unit_id == U]         (messages sent: equalities, merged indexes)
#   every other list reads a (sub)collection in document-id order: no index needed.
# Only the tokens query combines two fields. Firestore can answer it by merging the two
# single-field indexes, but a composite index serves it straight from one index scan (and
# is what the console asks for once merging gets expensive), so it is declared.
resource "google_firestore_index" "tokens_round_unit" {
  database    = google_firestore_database.default.name
  collection  = "tokens"
  query_scope = "COLLECTION"

  fields {
    field_path = "round_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "unit_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "ASCENDING"
  }
}

# Units' answers are stored as maps (a submission's `answers`, an entry's `draft`) and no query
# reads inside them. Left to the defaults, Firestore would index every answer (ascending and
# descending, and each list as array-contains) on every write: work on each submission's commit
# and index storage billed for nothing. These exemptions switch those indexes off.
resource "google_firestore_field" "submission_answers_unindexed" {
  database   = google_firestore_database.default.name
  collection = "submissions"
  field      = "answers"

  index_config {}
}

resource "google_firestore_field" "entry_draft_unindexed" {
  database   = google_firestore_database.default.name
  collection = "entries"
  field      = "draft"

  index_config {}
}

# The roster snapshot's chunks (functions/checkround/rounds/roster_snapshot.py) hold the units'
# names as one JSON string of up to 512 KiB each; nothing queries it, and indexing its first
# 1,500 bytes on every unit write would be work for nothing.
resource "google_firestore_field" "roster_snapshot_units_unindexed" {
  database   = google_firestore_database.default.name
  collection = "roster_snapshot"
  field      = "units"

  index_config {}
}

# The outbox's documents (notification requests and messages: what was sent, to whom, whether
# it was delivered) are deleted by Firestore's TTL policy once their expire_at has passed
# (checkround/notify/outbox.py KEEP: 180 days after they were written). The message text is
# not stored, only its parameters; the field stays indexed like any other.
resource "google_firestore_field" "outbox_expire_at" {
  database   = google_firestore_database.default.name
  collection = "outbox"
  field      = "expire_at"

  ttl_config {}
}

# The repository's security rules (firestore.rules: no direct client access; the functions use
# IAM through the server client, which rules do not apply to), released on the database.
resource "google_firebaserules_ruleset" "firestore" {
  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/../firestore.rules")
    }
  }

  depends_on = [google_firestore_database.default]
}

resource "google_firebaserules_release" "firestore" {
  name         = "cloud.firestore"
  ruleset_name = google_firebaserules_ruleset.firestore.name

  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}
