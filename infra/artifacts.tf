# The functions' images. Cloud Build pushes a new image of every function for each bundle, and
# the gcf-artifacts repository Cloud Functions makes by itself keeps them all; this repository is
# the configuration's own, so its cleanup policy is too: each function's five newest images are
# kept (the running revision and a few to roll back to), anything else older than 30 days goes.
resource "google_artifact_registry_repository" "functions" {
  # checkov:skip=CKV_GCP_84: Google-managed encryption is enough for images built from this repository's public code; a customer-managed KMS key would add a key ring to run and pay for.
  location               = var.region
  repository_id          = "checkround-functions"
  description            = "Checkround: the functions' images (one per function per bundle)."
  format                 = "DOCKER"
  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "2592000s"
    }
  }

  depends_on = [time_sleep.apis_enabled]
}
