output "public_base_url" {
  description = "CHECKROUND_PUBLIC_URL as the functions see it: unit links are <this>/web_form/r/<round>?t=<token>."
  value       = local.public_url
}

output "admin_api_url" {
  description = "admin_api (the checkround CLI's --url, CHECKROUND_URL)."
  value       = google_cloudfunctions2_function.admin_api.url
}

output "unit_api_url" {
  description = "unit_api, for clients that submit through the API."
  value       = google_cloudfunctions2_function.unit_api.url
}

output "web_form_url" {
  description = "web_form: the page a unit opens from its link."
  value       = google_cloudfunctions2_function.web_form.url
}

output "admin_console_url" {
  description = "admin_console: the admins' pages (open <this>/sign-in)."
  value       = google_cloudfunctions2_function.admin_console.url
}

output "close_due_rounds_url" {
  description = "close_due_rounds (invoked by Cloud Scheduler only)."
  value       = google_cloudfunctions2_function.close_due_rounds.url
}

output "function_service_urls" {
  description = "Every function's own Cloud Run URL (run.app), by entry point."
  value = {
    for name, fn in local.functions_by_name : name => fn.service_config[0].uri
  }
}

output "reports_bucket" {
  description = "Bucket holding the report PDFs (CHECKROUND_GCS_BUCKET)."
  value       = google_storage_bucket.reports.name
}
