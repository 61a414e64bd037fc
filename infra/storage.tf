# Report PDFs: private, one access model (IAM only), versioned, aging out.
resource "google_storage_bucket" "reports" {
  name                        = "${var.project}-checkround-reports"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # checkov:skip=CKV_GCP_62: access logs of a bucket only the functions' service accounts can read would log the functions themselves; Cloud Audit Logs (Data Access) is the place to turn on if an audit trail is wanted.
  versioning {
    enabled = true
  }

  # A replaced or deleted PDF (a re-render keeps its own numbered file) stays recoverable for a while.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.reports_noncurrent_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  # Old rounds' reports are rarely opened: cheaper storage after a year.
  lifecycle_rule {
    condition {
      age        = var.reports_nearline_days
      with_state = "LIVE"
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  depends_on = [time_sleep.apis_enabled]
}

# The functions' source archive (make bundle). Cloud Build reads it; nothing else does.
resource "google_storage_bucket" "source" {
  name                        = "${var.project}-checkround-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  # checkov:skip=CKV_GCP_62: the bucket holds build inputs only (the same files as the repository); access logs would add nothing.
  versioning {
    enabled = true
  }

  # Every bundle is a new object (its name carries its MD5); Terraform deletes the previous one
  # when it uploads the next, which versioning keeps as a noncurrent version: those go after a
  # week. No rule touches live objects: the current archive is what the functions were built
  # from, and deleting it would make the next plan upload it again.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [time_sleep.apis_enabled]
}

# ONE archive for every function: a new bundle gets a new object name, which redeploys them all.
resource "google_storage_bucket_object" "source" {
  name   = "checkround-source-${filemd5(var.source_archive)}.zip"
  bucket = google_storage_bucket.source.name
  source = var.source_archive
}
