"""The tuned Firestore client builds its channel for the cloud as it does for the emulator
(the emulator path runs in every integration test; this one needs no network until a call)."""

from __future__ import annotations

from unittest import mock

from google.auth.credentials import AnonymousCredentials

from checkround.storage import firestore_client


def test_cloud_channel_gets_the_calling_thread_stream_option(monkeypatch):
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    client = firestore_client.Client(project="p", credentials=AnonymousCredentials())
    with mock.patch.object(
        firestore_client.FirestoreGrpcTransport,
        "create_channel",
        wraps=firestore_client.FirestoreGrpcTransport.create_channel,
    ) as create:
        api = client._firestore_api
    assert isinstance(api.transport, firestore_client._Transport)
    options = list(create.call_args.kwargs["options"])
    assert firestore_client._STREAMS_ON_CALLING_THREAD in options
    assert ("grpc.keepalive_time_ms", 30000) in options  # the library's own options are kept
