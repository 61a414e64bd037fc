# close_due_rounds every minute, as the local stack does, with an OIDC token of a service
# account that may invoke that function and nothing else. A run that finds nothing due is
# cheap; two runs at once close a round once (each close is its own transaction).
resource "google_cloud_scheduler_job" "close_due_rounds" {
  name             = "checkround-close-due-rounds"
  region           = var.region
  description      = "Closes every open round past closes_at + grace."
  schedule         = var.scheduler_cron
  time_zone        = "Etc/UTC"
  attempt_deadline = "120s"

  retry_config {
    retry_count = 0 # the next minute's run is the retry
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.close_due_rounds.service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.close_due_rounds.service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invokes_close_due_rounds]
}
