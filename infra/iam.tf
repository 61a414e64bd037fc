# One runtime service account per function, plus one for the Eventarc trigger, one for Cloud
# Scheduler and one for the builds. Each gets only what its function's code paths use.
locals {
  runtime_accounts = {
    admin_api        = "cr-admin-api"
    unit_api         = "cr-unit-api"
    web_form         = "cr-web-form"
    admin_console    = "cr-admin-console"
    close_due_rounds = "cr-close-due-rounds"
    on_round_closed  = "cr-on-round-closed"
    # The notifications' dispatcher (outbox events); close_due_rounds sweeps the outbox too.
    on_outbox_created = "cr-on-outbox-created"
  }
  # Functions that read or write report PDFs: on_round_closed renders them, admin_api and
  # admin_console serve them and re-render on demand.
  pdf_functions = ["admin_api", "admin_console", "on_round_closed"]
  # Functions that hash tokens or seal sessions (the web form's, the console's): they need the pepper.
  # close_due_rounds and on_outbox_created issue the links that messages carry.
  pepper_functions = ["admin_api", "unit_api", "web_form", "admin_console", "close_due_rounds", "on_outbox_created"]
  # Functions that send messages: the key links are derived with, and the SMTP password.
  notify_functions = ["close_due_rounds", "on_outbox_created"]
}

resource "google_service_account" "runtime" {
  for_each     = local.runtime_accounts
  account_id   = each.value
  display_name = "Checkround ${each.key} (runtime)"
  depends_on   = [time_sleep.apis_enabled]
}

resource "google_service_account" "trigger" {
  account_id   = "cr-round-closed-trigger"
  display_name = "Checkround Eventarc triggers of on_round_closed and on_outbox_created"
  depends_on   = [time_sleep.apis_enabled]
}

resource "google_service_account" "scheduler" {
  account_id   = "cr-scheduler"
  display_name = "Checkround Cloud Scheduler caller of close_due_rounds"
  depends_on   = [time_sleep.apis_enabled]
}

resource "google_service_account" "build" {
  account_id   = "cr-build"
  display_name = "Checkround Cloud Build (function images)"
  depends_on   = [time_sleep.apis_enabled]
}

# Firestore: every function reads and writes documents (no admin rights, no index changes).
resource "google_project_iam_member" "datastore_user" {
  for_each = local.runtime_accounts
  project  = var.project
  role     = "roles/datastore.user"
  member   = google_service_account.runtime[each.key].member
}

# Report PDFs: object admin on the reports bucket only, for the functions that handle PDFs.
resource "google_storage_bucket_iam_member" "reports" {
  for_each = toset(local.pdf_functions)
  bucket   = google_storage_bucket.reports.name
  role     = "roles/storage.objectAdmin"
  member   = google_service_account.runtime[each.key].member
}

# The token pepper: this one secret, only where tokens are hashed or sessions sealed.
resource "google_secret_manager_secret_iam_member" "pepper" {
  for_each  = toset(local.pepper_functions)
  secret_id = google_secret_manager_secret.token_pepper.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.key].member
}

# The notify key and the SMTP password: only the functions that send messages.
resource "google_secret_manager_secret_iam_member" "notify_key" {
  for_each  = toset(local.notify_functions)
  secret_id = google_secret_manager_secret.notify_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.key].member
}

resource "google_secret_manager_secret_iam_member" "smtp_password" {
  for_each  = toset(local.notify_functions)
  secret_id = google_secret_manager_secret.smtp_password.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime[each.key].member
}

# Eventarc: the trigger's identity receives events and may invoke the two event functions only.
resource "google_project_iam_member" "trigger_event_receiver" {
  project = var.project
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invokes_on_round_closed" {
  name     = google_cloudfunctions2_function.on_round_closed.service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invokes_on_outbox_created" {
  name     = google_cloudfunctions2_function.on_outbox_created.service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

# Google's service agents of Eventarc and Pub/Sub are created lazily, on a new project often
# only when the API is first used: made to exist here, before the grants below name them.
resource "google_project_service_identity" "agents" {
  provider   = google-beta
  for_each   = toset(["eventarc.googleapis.com", "pubsub.googleapis.com"])
  project    = var.project
  service    = each.value
  depends_on = [time_sleep.apis_enabled]
}

# The Eventarc service agent's own role (granted by Google when the agent is made, not always
# in time for the trigger's creation; stating it keeps one apply from depending on that).
resource "google_project_iam_member" "eventarc_agent" {
  # checkov:skip=CKV_GCP_49: the role is the Eventarc service agent's own predefined role, granted to that Google-managed agent only (Google grants the same when it makes the agent).
  project = var.project
  role    = "roles/eventarc.serviceAgent"
  member  = "serviceAccount:${google_project_service_identity.agents["eventarc.googleapis.com"].email}"
}

# Eventarc delivers Firestore events through Pub/Sub push, whose service agent mints the
# trigger identity's OIDC tokens (needed explicitly in projects made before April 2021).
resource "google_service_account_iam_member" "pubsub_mints_trigger_tokens" {
  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.agents["pubsub.googleapis.com"].email}"
}

# Cloud Scheduler: invoker on close_due_rounds only.
resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes_close_due_rounds" {
  name     = google_cloudfunctions2_function.close_due_rounds.service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# Public invocation ONLY for the four functions people call over the internet. Cloud Run
# IAM lets anyone reach them; the functions authenticate every request themselves: admin_api
# with an admin bearer token or an allowlisted Google ID token, unit_api with the unit's
# bearer token (scoped to one round and unit), web_form with the unit link's token and then
# its signed session cookie, admin_console with a console session (opened with an admin token
# or an allowlisted Google account) and a CSRF token on every post. Browsers cannot send Google-signed identity tokens, so
# IAM-authenticated invocation is no option for unit links.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = {
    admin_api     = google_cloudfunctions2_function.admin_api.service_config[0].service
    unit_api      = google_cloudfunctions2_function.unit_api.service_config[0].service
    web_form      = google_cloudfunctions2_function.web_form.service_config[0].service
    admin_console = google_cloudfunctions2_function.admin_console.service_config[0].service
  }
  name     = each.value
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Builds: the roles Cloud Run functions documents for a custom build service account, instead
# of the default Compute Engine account with Editor: build logs, the image in Artifact Registry,
# and objects in the function-source buckets only (ours and the gcf-v2-* ones Cloud Functions
# stages the source in), by an IAM condition on the bucket name.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])
  project  = var.project
  role     = each.value
  member   = google_service_account.build.member
}

resource "google_project_iam_member" "build_sources" {
  project = var.project
  role    = "roles/storage.objectAdmin"
  member  = google_service_account.build.member

  condition {
    title       = "function-source-buckets"
    description = "Only the buckets holding function sources and build caches."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-\") || resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.source.name}\")"
  }
}
