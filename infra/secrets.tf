resource "random_password" "token_pepper" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret" "token_pepper" {
  secret_id = "checkround-token-pepper"

  # checkov:skip=CKV_GCP_128: Google-managed encryption is enough for one pepper; a customer-managed KMS key would add a key ring to run and pay for.
  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "token_pepper" {
  secret      = google_secret_manager_secret.token_pepper.id
  secret_data = var.token_pepper != "" ? var.token_pepper : random_password.token_pepper.result
}
