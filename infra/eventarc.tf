# on_round_closed: the Firestore update event of rounds/{roundId}, delivered by Eventarc.
# Every close flips rounds/{id}.status in one transaction; the handler claims the summary job
# in a transaction, so the at-least-once delivery and the retries below are safe.
resource "google_cloudfunctions2_function" "on_round_closed" {
  name        = "on_round_closed"
  location    = var.region
  description = "Checkround: renders a round's summary PDF when the round closes."

  build_config {
    runtime           = "python311"
    entry_point       = "on_round_closed"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source_storage.bucket
        object = local.source_storage.object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.runtime["on_round_closed"].email
    available_memory                 = "2Gi"
    available_cpu                    = "1"
    timeout_seconds                  = 540 # below CHECKROUND_SUMMARY_LEASE_SECONDS (600): a live render keeps its claim
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY" # Eventarc counts as internal
    all_traffic_on_latest_revision   = true
    environment_variables = merge(local.common_env, {
      CHECKROUND_GCS_BUCKET            = google_storage_bucket.reports.name
      CHECKROUND_PUBLIC_URL            = local.public_url
      CHECKROUND_SUMMARY_LEASE_SECONDS = "600"
    })
  }

  event_trigger {
    trigger_region        = local.firestore_location
    event_type            = "google.cloud.firestore.document.v1.updated"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "database"
      value     = google_firestore_database.default.name
    }
    event_filters {
      attribute = "document"
      value     = "rounds/{roundId}"
      operator  = "match-path-pattern"
    }
  }

  depends_on = [time_sleep.grants_propagated]
}

# on_outbox_created: the dispatcher of notifications, on the Firestore create event of each
# outbox/{docId} (a request to expand, or a message to send). Its claim transaction makes a
# redelivery harmless; close_due_rounds sweeps what a delivery left (retries, expired claims).
# Its instances times CHECKROUND_SMTP_PER_SECOND bound the rate at the SMTP server.
resource "google_cloudfunctions2_function" "on_outbox_created" {
  name        = "on_outbox_created"
  location    = var.region
  description = "Checkround: expands and sends notifications (e-mail, webhooks) from the outbox."

  build_config {
    runtime           = "python311"
    entry_point       = "on_outbox_created"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.source_storage.bucket
        object = local.source_storage.object
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.runtime["on_outbox_created"].email
    available_memory                 = "1Gi"
    available_cpu                    = "1"
    timeout_seconds                  = 110 # below CHECKROUND_NOTIFY_LEASE_SECONDS (120): a live send keeps its claim
    max_instance_count               = var.notify_max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY" # Eventarc counts as internal
    all_traffic_on_latest_revision   = true
    environment_variables            = local.notify_env
    secret_environment_variables {
      key        = "CHECKROUND_TOKEN_PEPPER"
      project_id = var.project
      secret     = google_secret_manager_secret.token_pepper.secret_id
      version    = google_secret_manager_secret_version.token_pepper.version
    }
    secret_environment_variables {
      key        = "CHECKROUND_NOTIFY_KEY"
      project_id = var.project
      secret     = google_secret_manager_secret.notify_key.secret_id
      version    = google_secret_manager_secret_version.notify_key.version
    }
    secret_environment_variables {
      key        = "CHECKROUND_SMTP_PASSWORD"
      project_id = var.project
      secret     = google_secret_manager_secret.smtp_password.secret_id
      version    = google_secret_manager_secret_version.smtp_password.version
    }
  }

  event_trigger {
    trigger_region        = local.firestore_location
    event_type            = "google.cloud.firestore.document.v1.created"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email

    event_filters {
      attribute = "database"
      value     = google_firestore_database.default.name
    }
    event_filters {
      attribute = "document"
      value     = "outbox/{docId}"
      operator  = "match-path-pattern"
    }
  }

  depends_on = [time_sleep.grants_propagated]
}
