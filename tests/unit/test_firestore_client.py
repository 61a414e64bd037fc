"""The generated client for the cloud: the transport's own channel (credentials from the
environment, the library's headers) wrapped by the given interceptors. No call reaches the
network: the recording interceptor answers it."""

from __future__ import annotations

import google.auth
import grpc
import pytest
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore_v1.types import firestore as api

from checkround.storage.firestore_client import api_client
from tests.integration.faults import RpcFailure


class Answering(grpc.UnaryUnaryClientInterceptor):
    """Records a call's details and answers it with UNAVAILABLE instead of sending it."""

    def __init__(self):
        self.seen = []

    def intercept_unary_unary(self, continuation, details, request):
        self.seen.append((details.method, dict(details.metadata or ())))
        return RpcFailure(grpc.StatusCode.UNAVAILABLE)


def test_cloud_client_uses_the_environments_credentials_and_the_given_interceptors(monkeypatch):
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    asked = []
    monkeypatch.setattr(google.auth, "default", lambda **kwargs: asked.append(kwargs) or (AnonymousCredentials(), "p"))
    answering = Answering()
    client = api_client([answering])
    assert asked, "credentials come from the environment"
    request = api.RollbackRequest(database="projects/p/databases/(default)", transaction=b"t")
    with pytest.raises(gexc.ServiceUnavailable):
        client.rollback(request=request, retry=None, timeout=5)
    ((method, metadata),) = answering.seen
    assert method == "/google.firestore.v1.Firestore/Rollback"
    assert metadata["x-goog-request-params"] == "database=projects/p/databases/%28default%29"
    assert "gapic/" in metadata["x-goog-api-client"]
    assert "authorization" not in metadata  # the emulator's token is for the emulator only
