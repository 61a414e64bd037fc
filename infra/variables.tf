variable "project" {
  description = "Google Cloud project id to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the functions, the buckets and the scheduler job (asia-southeast1 is the closest to Vietnam)."
  type        = string
  default     = "asia-southeast1"
}

variable "firestore_location" {
  description = "Location of the Firestore database: a region (e.g. asia-southeast1) or a multi-region (nam5, eur3). The Eventarc trigger of on_round_closed lives there too. Empty: the same as region."
  type        = string
  default     = ""
}

variable "source_archive" {
  description = "Path of the functions' source archive that `make bundle` builds (main.py, checkround/ without cli/ and devstack/, templates/, requirements.txt at its root)."
  type        = string
  default     = "../dist/checkround-source.zip"
}

variable "public_url" {
  description = "Base URL under which the HTTP functions are reached as /admin_api/, /unit_api/, /web_form/ (the code builds unit links as <base>/web_form/r/<round> and PDF links as <base>/admin_api/...). Empty: https://<region>-<project>.cloudfunctions.net, where every function answers under its own name. Set it when a load balancer or another front end on your own domain serves them."
  type        = string
  default     = ""
}

variable "public_ingress" {
  description = "Ingress of admin_api, unit_api and web_form. ALLOW_ALL: reached on their cloudfunctions.net and run.app URLs. ALLOW_INTERNAL_AND_GCLB: only through a load balancer in front (set public_url to it; docs/deploy.md, \"Behind a load balancer\")."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_AND_GCLB"], var.public_ingress)
    error_message = "public_ingress is ALLOW_ALL or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "admin_emails" {
  description = "Google accounts allowed to use admin_api with a Google ID token (passed as CHECKROUND_ADMIN_EMAILS, comma-separated)."
  type        = list(string)
  default     = []
}

variable "google_client_id" {
  description = "OAuth client ID of the admin console's \"Sign in with Google\" (Google Identity Services; CHECKROUND_GOOGLE_CLIENT_ID). Empty: the console offers admin-token sign-in only."
  type        = string
  default     = ""
}

variable "id_token_audiences" {
  description = "Audiences admin_api accepts in Google ID tokens (CHECKROUND_ID_TOKEN_AUDIENCE, comma-separated). Empty: the code's default, the public base URL."
  type        = list(string)
  default     = []
}

variable "token_pepper" {
  description = "Secret pepper of the unit-token hashes and web form seals (Secret Manager secret checkround-token-pepper). Empty: a random one is generated. Read only when token_pepper_version changes (a write-only argument); never stored in the state. Changing it invalidates every issued token and unit link."
  type        = string
  default     = ""
  sensitive   = true
  ephemeral   = true
}

variable "token_pepper_version" {
  description = "Raise it by one to rotate the token pepper: a new secret version is written (from token_pepper, or generated) and every function that reads it redeploys pinned to it. See docs/deploy.md."
  type        = number
  default     = 1
}

variable "reports_noncurrent_days" {
  description = "Days an overwritten or deleted report PDF version is kept before the lifecycle rule deletes it."
  type        = number
  default     = 30
}

variable "reports_nearline_days" {
  description = "Age in days after which report PDFs move to the Nearline storage class."
  type        = number
  default     = 365
}

variable "scheduler_cron" {
  description = "Cloud Scheduler schedule of close_due_rounds (unix-cron)."
  type        = string
  default     = "* * * * *"
}

variable "max_instances" {
  description = "Upper bound of instances per function (a cost ceiling)."
  type        = number
  default     = 10
}

variable "notify_key_version" {
  description = "Raise it by one to make a new notify key (the links of messages already sent stop opening)."
  type        = number
  default     = 1
}

variable "smtp_host" {
  description = "SMTP server the notifications are sent through (CHECKROUND_SMTP_HOST)."
  type        = string
  default     = "smtp.gmail.com"
}

variable "smtp_port" {
  description = "Its port: 587 with STARTTLS, or 25 inside a trusted network."
  type        = number
  default     = 587
}

variable "smtp_starttls" {
  description = "Upgrade the SMTP connection with STARTTLS before logging in (keep true on the internet)."
  type        = bool
  default     = true
}

variable "smtp_user" {
  description = "SMTP login (empty: no login)."
  type        = string
  default     = ""
}

variable "smtp_password" {
  description = "SMTP password (Secret Manager secret checkround-smtp-password); read only when smtp_password_version changes, never stored in the state."
  type        = string
  default     = ""
  sensitive   = true
  ephemeral   = true
}

variable "smtp_password_version" {
  description = "Raise it by one to write a new SMTP password (from smtp_password); the functions that send redeploy with it."
  type        = number
  default     = 1
}

variable "mail_from" {
  description = "The notifications' From address (CHECKROUND_MAIL_FROM), e.g. \"Tỉnh Đoàn <checkround@example.vn>\"."
  type        = string
  default     = "Checkround <checkround@localhost.localdomain>"
}

variable "smtp_per_second" {
  description = "Messages per second one dispatcher instance may hand to the SMTP server."
  type        = number
  default     = 5
}

variable "notify_max_instances" {
  description = "Instances of the dispatcher at most: with smtp_per_second, the ceiling of the rate at the SMTP server."
  type        = number
  default     = 2
}
