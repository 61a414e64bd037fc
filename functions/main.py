"""Cloud Functions entry points: one short function each, no logic.

Each HTTP function imports only its own route table, on first call, so ``unit_api`` never
loads the report stack (Jinja2, WeasyPrint) at cold start.

Logging is set up here, once per instance: JSON lines for Cloud Logging in the cloud, plain
text locally (``CHECKROUND_LOG_FORMAT``; see ``checkround.logs``). A cloud instance refuses to
start with a secret left at its local default (``checkround.config``).
"""

from __future__ import annotations

from typing import Any

import flask
import functions_framework
from cloudevents.http.event import CloudEvent
from flask import Request
from werkzeug.wrappers import Response

from checkround import logs, wiring
from checkround.config import refuse_local_secrets_in_cloud, settings
from checkround.http.core import dispatch, unrouted

logs.configure(settings().log_format, settings().project)
refuse_local_secrets_in_cloud(settings())


# While this module runs, errorhandler is the app's (Flask's errorhandler, untyped here): a path
# the framework cannot route gets the API's JSON 404, not Flask's HTML page.
@functions_framework.errorhandler(404)  # type: ignore[untyped-decorator]
def not_found(error: Exception) -> Response:
    return unrouted(flask.request)


@functions_framework.http
def admin_api(request: Request) -> Response:
    from checkround.http.admin_routes import router

    return dispatch(router, request, wiring.context)


@functions_framework.http
def unit_api(request: Request) -> Response:
    from checkround.http.unit_routes import router

    return dispatch(router, request, wiring.context)


@functions_framework.http
def web_form(request: Request) -> Response:
    from checkround.http.webform import router

    return dispatch(router, request, wiring.context)


@functions_framework.http
def close_due_rounds(request: Request) -> Response:
    from checkround.http.scheduler_routes import router

    return dispatch(router, request, wiring.context)


@functions_framework.cloud_event
def on_round_closed(event: CloudEvent) -> Any:
    from checkround.http.events import handle_firestore_event

    return handle_firestore_event(event, wiring.context())


@functions_framework.http
def admin_console(request: Request) -> Response:
    from checkround.http.console import router

    return dispatch(router, request, wiring.context)


@functions_framework.cloud_event
def on_outbox_created(event: CloudEvent) -> Any:
    from checkround.http.events import handle_outbox_event

    return handle_outbox_event(event, wiring.context())
