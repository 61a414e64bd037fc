# One 2nd-gen function per entry point of functions/main.py, all built from the same source
# object. Each function is named after its entry point, so it also answers at
# https://<region>-<project>.cloudfunctions.net/<entry point>/..., the layout the code's links
# assume (<CHECKROUND_PUBLIC_URL>/web_form/r/..., <CHECKROUND_PUBLIC_URL>/admin_api/...): one
# base URL serves them all, and no function needs another's generated run.app URL (admin_api
# would otherwise depend on its own URL, a cycle). A front end on your own domain that keeps
# this layout can replace the base (variable public_url).
locals {
  firestore_location = var.firestore_location != "" ? var.firestore_location : var.region
  public_url         = trimsuffix(var.public_url != "" ? var.public_url : "https://${var.region}-${var.project}.cloudfunctions.net", "/")

  source_storage = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }

  common_env = {
    CHECKROUND_PROJECT = var.project
    LOG_EXECUTION_ID   = "true"
  }

  # admin_api: the allowlist of Google accounts that may sign in with an ID token
  # (CHECKROUND_ADMIN_EMAILS) and, when given, the audiences such a token may carry.
  admin_id_token_env = length(var.id_token_audiences) > 0 ? { CHECKROUND_ID_TOKEN_AUDIENCE = join(",", var.id_token_audiences) } : {}
  admin_api_env = merge(local.common_env, local.admin_id_token_env, {
    CHECKROUND_GCS_BUCKET   = google_storage_bucket.reports.name
    CHECKROUND_PUBLIC_URL   = local.public_url
    CHECKROUND_ADMIN_EMAILS = join(",", var.admin_emails)
  })
  # admin_console: what admin_api has, and the OAuth client of its "Sign in with Google" button.
  admin_console_env = merge(local.admin_api_env, var.google_client_id != "" ? { CHECKROUND_GOOGLE_CLIENT_ID = var.google_client_id } : {})

  functions_by_name = {
    admin_api        = google_cloudfunctions2_function.admin_api
    unit_api         = google_cloudfunctions2_function.unit_api
    web_form         = google_cloudfunctions2_function.web_form
    admin_console    = google_cloudfunctions2_function.admin_console
    close_due_rounds = google_cloudfunctions2_function.close_due_rounds
    on_round_closed  = google_cloudfunctions2_function.on_round_closed
    # The dispatcher of notifications (eventarc.tf).
    on_outbox_created = google_cloudfunctions2_function.on_outbox_created
  }

  # What the functions that send messages read (checkround/config.py): the SMTP server and
  # the sender; the password and the notify key come from Secret Manager (secrets.tf).
  notify_env = merge(local.common_env, {
    CHECKROUND_PUBLIC_URL      = local.public_url
    CHECKROUND_SMTP_HOST       = var.smtp_host
    CHECKROUND_SMTP_PORT       = tostring(var.smtp_port)
    CHECKROUND_SMTP_STARTTLS   = var.smtp_starttls ? "true" : "false"
    CHECKROUND_SMTP_USER       = var.smtp_user
    CHECKROUND_MAIL_FROM       = var.mail_from
    CHECKROUND_SMTP_PER_SECOND = tostring(var.smtp_per_second)
  })
}

resource "google_cloudfunctions2_function" "admin_api" {
  name        = "admin_api"
  location    = var.region
  description = "Checkround admin API: forms, units, rounds, tokens, board, summaries, exports."

  build_config {
    runtime           = "python311"
    entry_point       = "admin_api"
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
    service_account_email            = google_service_account.runtime["admin_api"].email
    available_memory                 = "1Gi"
    available_cpu                    = "1"
    timeout_seconds                  = 300
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = 4
    # checkov:skip=CKV_GCP_124: reached from the internet by design (browsers, the CLI, clients), or only through a load balancer (var.public_ingress); the function authenticates every request itself, see iam.tf.
    ingress_settings               = var.public_ingress
    all_traffic_on_latest_revision = true
    environment_variables          = local.admin_api_env
    secret_environment_variables {
      key        = "CHECKROUND_TOKEN_PEPPER"
      project_id = var.project
      secret     = google_secret_manager_secret.token_pepper.secret_id
      version    = google_secret_manager_secret_version.token_pepper.version
    }
  }

  depends_on = [time_sleep.grants_propagated]
}

resource "google_cloudfunctions2_function" "unit_api" {
  name        = "unit_api"
  location    = var.region
  description = "Checkround unit API: a unit's form, drafts and submissions (unit token)."

  build_config {
    runtime           = "python311"
    entry_point       = "unit_api"
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
    service_account_email            = google_service_account.runtime["unit_api"].email
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 60
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = 8
    # checkov:skip=CKV_GCP_124: reached from the internet by design (browsers, the CLI, clients), or only through a load balancer (var.public_ingress); the function authenticates every request itself, see iam.tf.
    ingress_settings               = var.public_ingress
    all_traffic_on_latest_revision = true
    environment_variables = merge(local.common_env, {
      CHECKROUND_PUBLIC_URL = local.public_url
    })
    secret_environment_variables {
      key        = "CHECKROUND_TOKEN_PEPPER"
      project_id = var.project
      secret     = google_secret_manager_secret.token_pepper.secret_id
      version    = google_secret_manager_secret_version.token_pepper.version
    }
  }

  depends_on = [time_sleep.grants_propagated]
}

resource "google_cloudfunctions2_function" "web_form" {
  name        = "web_form"
  location    = var.region
  description = "Checkround web form: the HTML form a unit opens from its link."

  build_config {
    runtime           = "python311"
    entry_point       = "web_form"
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
    service_account_email            = google_service_account.runtime["web_form"].email
    available_memory                 = "512Mi"
    available_cpu                    = "1"
    timeout_seconds                  = 60
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = 8
    # checkov:skip=CKV_GCP_124: reached from the internet by design (browsers, the CLI, clients), or only through a load balancer (var.public_ingress); the function authenticates every request itself, see iam.tf.
    ingress_settings               = var.public_ingress
    all_traffic_on_latest_revision = true
    environment_variables = merge(local.common_env, {
      # web_form reads it to mark its session cookie Secure behind HTTPS.
      CHECKROUND_PUBLIC_URL = local.public_url
    })
    secret_environment_variables {
      key        = "CHECKROUND_TOKEN_PEPPER"
      project_id = var.project
      secret     = google_secret_manager_secret.token_pepper.secret_id
      version    = google_secret_manager_secret_version.token_pepper.version
    }
  }

  depends_on = [time_sleep.grants_propagated]
}

resource "google_cloudfunctions2_function" "admin_console" {
  name        = "admin_console"
  location    = var.region
  description = "Checkround admin console: the admins' pages (rounds, board, links), signed in with Google or an admin token."

  build_config {
    runtime           = "python311"
    entry_point       = "admin_console"
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
    service_account_email            = google_service_account.runtime["admin_console"].email
    available_memory                 = "1Gi"
    available_cpu                    = "1"
    timeout_seconds                  = 300
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = 4
    # checkov:skip=CKV_GCP_124: reached from the internet by design (admins' browsers), or only through a load balancer (var.public_ingress); the function authenticates every request itself (a console session), see iam.tf.
    ingress_settings               = var.public_ingress
    all_traffic_on_latest_revision = true
    environment_variables          = local.admin_console_env
    secret_environment_variables {
      key        = "CHECKROUND_TOKEN_PEPPER"
      project_id = var.project
      secret     = google_secret_manager_secret.token_pepper.secret_id
      version    = google_secret_manager_secret_version.token_pepper.version
    }
  }

  depends_on = [time_sleep.grants_propagated]
}

resource "google_cloudfunctions2_function" "close_due_rounds" {
  name        = "close_due_rounds"
  location    = var.region
  description = "Checkround: closes every open round past its deadline (Cloud Scheduler, every minute)."

  build_config {
    runtime           = "python311"
    entry_point       = "close_due_rounds"
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
    service_account_email = google_service_account.runtime["close_due_rounds"].email
    # The tick also sweeps the outbox: it may send a message, an accepted report's PDF with it.
    available_memory               = "1Gi"
    available_cpu                  = "1"
    timeout_seconds                = 300
    max_instance_count             = 1
    ingress_settings               = "ALLOW_INTERNAL_ONLY" # Cloud Scheduler counts as internal
    all_traffic_on_latest_revision = true
    environment_variables          = local.notify_env
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

  depends_on = [time_sleep.grants_propagated]
}
