"""Failures injected into the Firestore adapter's calls to the real emulator, by a gRPC client
interceptor on the adapter's channel (the library's public hook; nothing is patched)."""

from __future__ import annotations

import grpc


class RpcFailure(grpc.RpcError, grpc.Call, grpc.Future):
    """What gRPC raises when a call fails with ``code`` (a unary call's interceptor returns it:
    a Call and a Future whose result raises it, as gRPC's own failed calls are)."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    def code(self):
        return self._code

    def details(self):
        return f"injected {self._code.name}"

    def trailing_metadata(self):
        return None

    def initial_metadata(self):
        return None

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False

    def result(self, timeout=None):
        raise self

    def exception(self, timeout=None):
        return self

    def traceback(self, timeout=None):
        return None

    def done(self):
        return True

    def running(self):
        return False

    def cancelled(self):
        return False

    def add_done_callback(self, fn):
        fn(self)


class Faults(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Fails the next calls of a method (``Commit``, ``BatchGetDocuments``, ``Rollback``);
    records the name of every call made, and the unary calls the database refused."""

    def __init__(self) -> None:
        self.plans: dict[str, dict] = {}
        self.calls: list[str] = []
        self.refused: list[tuple[str, str]] = []  # (method, status) of unary calls that failed

    def fail_next(self, method, times, code=grpc.StatusCode.UNAVAILABLE, after_sending=False):
        """The next ``times`` calls of ``method`` fail with ``code``: before they are sent, or,
        with ``after_sending``, once the database has answered (the answer is lost). Returns
        ``[calls still to fail]``."""
        left = [times]
        self.plans[method] = {"left": left, "code": code, "after": after_sending}
        return left

    def _plan(self, details):
        method = details.method.rsplit("/", 1)[1]
        self.calls.append(method)
        plan = self.plans.get(method)
        if plan is None or plan["left"][0] <= 0:
            return None
        plan["left"][0] -= 1
        return plan

    def intercept_unary_unary(self, continuation, details, request):
        plan = self._plan(details)
        if plan is None:
            outcome = continuation(details, request)
            if outcome.code() != grpc.StatusCode.OK:
                self.refused.append((details.method.rsplit("/", 1)[1], outcome.code().name))
            return outcome
        if plan["after"]:
            continuation(details, request).result()
        return RpcFailure(plan["code"])

    def intercept_unary_stream(self, continuation, details, request):
        plan = self._plan(details)
        if plan is None:
            return continuation(details, request)
        if plan["after"]:
            list(continuation(details, request))
        raise RpcFailure(plan["code"])


def lose_next_answer(monkeypatch, store):
    """The next transaction on ``store`` commits, and then its answer is lost on the way back:
    the caller sees :class:`CommitUnanswered` (503 ``unavailable``) for a write that happened.
    At the port, so it holds whatever the adapter does inside. Returns ``[answers still to lose]``."""
    from checkround.storage.ports import CommitUnanswered

    real = store.transaction
    left = [1]

    def transaction(fn):
        result = real(fn)
        if left[0] > 0:
            left[0] -= 1
            raise CommitUnanswered("injected: the commit happened, its answer was lost")
        return result

    monkeypatch.setattr(store, "transaction", transaction)
    return left
