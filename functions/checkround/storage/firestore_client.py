"""The Firestore API client the adapter uses: the library's generated ``FirestoreClient``.

The generated client (``google.cloud.firestore_v1.services.firestore``) is the library's public,
documented surface for the API's own calls; every request it sends carries the headers the
library sets (the routing header naming the database, the client-info header). The high-level
``google.cloud.firestore.Client`` is not used: it opens every transaction with a
``BeginTransaction`` round trip of its own, and it offers no public way to add interceptors to
its channel (which the benchmark uses to count calls).

In the cloud the transport builds its channel as it always does (credentials from the
environment) and the given gRPC interceptors wrap it. With ``FIRESTORE_EMULATOR_HOST`` set the
channel is an insecure one to the emulator, and every call carries ``authorization: Bearer
owner``: the emulator treats such calls as a server client's, as the cloud treats this
service account's (security rules do not apply to them).
"""

from __future__ import annotations

import os
from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from google.cloud.firestore_v1.services.firestore import FirestoreClient
from google.cloud.firestore_v1.services.firestore.transports import FirestoreGrpcTransport

Interceptor = grpc.UnaryUnaryClientInterceptor | grpc.UnaryStreamClientInterceptor

# What the library's own channel options say: no limit on message sizes.
_SIZES = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]


class CallDetails(
    namedtuple("CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    """A call's details with other metadata (as in gRPC's header-manipulator example)."""


class AddMetadata(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds fixed metadata to every call (the emulator's bearer token)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)

    def details_with(self, details: Any) -> Any:
        return CallDetails(
            details.method,
            details.timeout,
            [*(details.metadata or ()), *self.pairs],
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return continuation(self.details_with(details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return continuation(self.details_with(details), request)


def emulator_host() -> str | None:
    return os.environ.get("FIRESTORE_EMULATOR_HOST") or None


def api_client(interceptors: Sequence[Interceptor] = ()) -> FirestoreClient:
    """A generated client for the emulator when ``FIRESTORE_EMULATOR_HOST`` is set, else for
    Firestore with the environment's credentials; ``interceptors`` wrap its channel."""
    host = emulator_host()
    if host is not None:
        channel = grpc.intercept_channel(
            grpc.insecure_channel(host, options=_SIZES), AddMetadata([("authorization", "Bearer owner")]), *interceptors
        )
        return FirestoreClient(transport=FirestoreGrpcTransport(host=host, channel=channel))

    def cloud_channel(*args: Any, **kwargs: Any) -> grpc.Channel:
        return grpc.intercept_channel(FirestoreGrpcTransport.create_channel(*args, **kwargs), *interceptors)

    return FirestoreClient(transport=FirestoreGrpcTransport(channel=cloud_channel))
