"""Messages to people: units' links, reminders and results, and admins' summaries and digests,
by e-mail and by signed webhooks, through an outbox in Firestore (see docs/notifications.md).

- :mod:`.outbox`: what a change writes in its own transaction (one request per cause), and the
  expansion of a request into one message per recipient and channel;
- :mod:`.dispatch`: claiming, sending and recording one message, and the sweep that retries;
- :mod:`.channels`: SMTP and webhook senders, each with its rate limit;
- :mod:`.compose`: the templates (sandboxed Jinja2) and their catalogue of fixed wording;
- :mod:`.schedule`: reminders and digests, decided on the scheduler's tick;
- :mod:`.settings`: the organisation's admin recipients and webhook endpoints.
"""
