terraform {
  # 1.11: write-only arguments (the pepper never reaches the state, see secrets.tf).
  required_version = ">= 1.11"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.23: secret_data_wo of google_secret_manager_secret_version.
      version = "~> 6.23"
    }
    google-beta = {
      source = "hashicorp/google-beta"
      # google_project_service_identity (the service agents made to exist before their grants).
      version = "~> 6.23"
    }
    random = {
      source = "hashicorp/random"
      # 3.7: the ephemeral random_password (generated, handed to a write-only argument, never stored).
      version = "~> 3.7"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.12"
    }
  }

  # State lives in a GCS bucket you create once (docs/deploy.md, "Where state lives"):
  #   terraform -chdir=infra init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "checkround"
  }
}

# A person's gcloud login (application default credentials) has no project of its own: APIs such
# as Firebase Rules refuse user credentials without a quota project (403). Bill the calls to the
# project being deployed.
provider "google" {
  project               = var.project
  region                = var.region
  user_project_override = true
  billing_project       = var.project
}

provider "google-beta" {
  project               = var.project
  region                = var.region
  user_project_override = true
  billing_project       = var.project
}

data "google_project" "this" {
  project_id = var.project
}

# The APIs every resource below needs. Left enabled on destroy: other things in the project
# may use them too.
resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "firebaserules.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

# An API answers a while after it is enabled ("API has not been used in project … or it is
# disabled" on a new project): everything that calls one waits for this instead.
resource "time_sleep" "apis_enabled" {
  create_duration = "60s"
  depends_on      = [google_project_service.apis]
}

# IAM grants take effect minutes after they are made. Builds ("Access to bucket … denied") and
# the Eventarc trigger ("Permission denied while using the Eventarc Service Agent") fail until
# then, so the functions wait for every grant they rely on (iam.tf).
resource "time_sleep" "grants_propagated" {
  create_duration = "120s"
  depends_on = [
    google_project_iam_member.build,
    google_project_iam_member.build_sources,
    google_project_iam_member.eventarc_agent,
    google_project_iam_member.trigger_event_receiver,
    google_service_account_iam_member.pubsub_mints_trigger_tokens,
    google_secret_manager_secret_iam_member.pepper,
    google_secret_manager_secret_iam_member.notify_key,
    google_secret_manager_secret_iam_member.smtp_password,
  ]
}
