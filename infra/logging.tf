# Cloud Run logs every request with its full URL, so the first visit of a unit's web form link
# (/web_form/r/<round>?t=<secret>) would keep the link's secret in the request log, as would a
# one-time console sign-in link (/admin_console/sign-in?t=<secret>). These
# entries are dropped before they are stored. An exclusion drops a whole entry (it cannot cut
# the query string out of it); the function's own access line for the request stays, and it
# never holds a query string (functions/checkround/logs.py). The load balancer's request log
# ("requests"), if a front end on your own domain serves the functions, is excluded the same way.
resource "google_logging_project_exclusion" "unit_link_requests" {
  name        = "checkround-unit-link-requests"
  description = "Checkround: request log entries of a unit's web form link or a console sign-in link, whose URL holds the link's secret."
  filter      = "(log_id(\"run.googleapis.com/requests\") OR log_id(\"requests\")) AND httpRequest.requestUrl=~\"/(r/[^/?#]+|sign-in)[?]([^#]*&)?t=\""

  depends_on = [time_sleep.apis_enabled]
}
