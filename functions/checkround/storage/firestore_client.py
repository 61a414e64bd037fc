"""The Firestore client the adapter uses: the library's client on a tuned gRPC channel.

Every document read of the Python client is a server-streaming ``BatchGetDocuments`` call, and
grpcio runs such calls through a helper thread by default, which costs about 0.7 ms a call on
this project's machines (measured in ``benchmarks/submit.py``'s notes). gRPC's
``SingleThreadedUnaryStream`` channel option reads the stream on the calling thread instead.
The channel is otherwise built as the library builds it (keepalive, unlimited message sizes,
the emulator's ``Bearer owner`` header).
"""

from __future__ import annotations

from typing import Any

import grpc
from google.cloud import firestore
from google.cloud.firestore_v1.services.firestore import client as firestore_client
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport

_SIZES = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
_STREAMS_ON_CALLING_THREAD = (grpc.experimental.ChannelOptions.SingleThreadedUnaryStream, 1)


class _Transport(FirestoreGrpcTransport):
    @classmethod
    def create_channel(cls, *args: Any, options: Any = (), **kwargs: Any) -> grpc.Channel:
        channel: grpc.Channel = super().create_channel(*args, options=[*options, _STREAMS_ON_CALLING_THREAD], **kwargs)
        return channel


class Client(firestore.Client):
    """``google.cloud.firestore.Client`` whose channel reads streams on the calling thread."""

    @property
    def _firestore_api(self) -> Any:
        return self._firestore_api_helper(_Transport, firestore_client.FirestoreClient, firestore_client)

    def _emulator_channel(self, transport: Any) -> grpc.Channel:
        # The library's emulator channel with the one option more; the emulator accepts any
        # bearer token from a server client ("owner" is the library's default).
        assert self._emulator_host is not None
        options = [("Authorization", "Bearer owner"), *_SIZES, _STREAMS_ON_CALLING_THREAD]
        return grpc.insecure_channel(self._emulator_host, options=options)
