"""Failures injected into the Firestore adapter's gRPC calls to the real emulator."""

from __future__ import annotations

import grpc

from checkround.storage import firestore_tx


class RpcFailure(grpc.RpcError):
    """What gRPC raises when a call fails with ``code``."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    def code(self):
        return self._code

    def details(self):
        return f"injected {self._code.name}"

    def trailing_metadata(self):
        return None


def fail_next(monkeypatch, method, times, code=grpc.StatusCode.UNAVAILABLE):
    """Make the next ``times`` calls of one gRPC method (``commit``, ``batch_get_documents``)
    fail before they are sent; returns ``[calls still to fail]``."""
    real = firestore_tx._stub
    left = [times]

    def stub(client, name):
        call = real(client, name)
        if name != method:
            return call

        def flaky(*args, **kwargs):
            if left[0] > 0:
                left[0] -= 1
                raise RpcFailure(code)
            return call(*args, **kwargs)

        return flaky

    monkeypatch.setattr(firestore_tx, "_stub", stub)
    return left
