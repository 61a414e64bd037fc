"""The transaction runner's retry policy and its arbitration between the process's own
transactions, checked without a database: a scripted store, injected randomness, sleep and
clock."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from checkround.storage import ports
from checkround.storage.firestore_tx import Arbiter, Attempt, RetryPolicy, StepBack, Wounded, run_transaction


class ScriptedStore:
    """The calls run_transaction makes of the adapter; commits fail as ``outcomes`` say (an
    exception to raise, or None to succeed), reads fail as ``read_failures`` say."""

    database = "projects/p/databases/(default)"

    def __init__(self, outcomes=(), read_failures=()):
        self.arbiter = Arbiter()
        self.outcomes = list(outcomes)
        self.read_failures = list(read_failures)
        self.events = []
        self.begun = 0

    def name(self, path):
        return f"{self.database}/documents/{path}"

    def batch_get(self, request, tx):
        retry = request.new_transaction.read_write.retry_transaction if "new_transaction" in request else None
        self.events.append(("read", retry))
        if self.read_failures:
            failure = self.read_failures.pop(0)
            if failure is not None:
                raise failure
        self.begun += 1
        tx.began(f"t{self.begun}".encode())
        return {name: {"n": 1} for name in request.documents}

    def commit(self, request, resend, policy):
        self.events.append(("commit", request.transaction))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome

    def rollback(self, tx_id):
        self.events.append(("rollback", tx_id))


def bump(tx):
    (doc,) = tx.get_many(["counters/c"])
    tx.update("counters/c", {"n": doc["n"] + 1})
    return "done"


def policy(events, random=lambda: 1.0, clock=lambda: 0.0, **kwargs):
    return RetryPolicy(random=random, sleep=lambda seconds: events.append(("sleep", seconds)), clock=clock, **kwargs)


def test_aborted_attempts_end_then_wait_growing_delays_and_retry_with_their_id():
    store = ScriptedStore(outcomes=[gexc.Aborted("contention")] * 4)
    assert run_transaction(store, bump, policy(store.events)) == "done"
    assert store.events == [
        ("read", b""), ("commit", b"t1"), ("rollback", b"t1"), ("sleep", 0.02),
        ("read", b"t1"), ("commit", b"t2"), ("rollback", b"t2"), ("sleep", 0.04),
        ("read", b"t2"), ("commit", b"t3"), ("rollback", b"t3"), ("sleep", 0.08),
        ("read", b"t3"), ("commit", b"t4"), ("rollback", b"t4"), ("sleep", 0.16),
        ("read", b"t4"), ("commit", b"t5"),
    ]  # fmt: skip


def test_delays_are_jittered_and_capped():
    rule = RetryPolicy(base=0.02, cap=1.0, random=lambda: 0.25)
    assert [rule.delay(n) for n in (1, 2, 3)] == [0.005, 0.01, 0.02]
    assert rule.delay(30) == 0.25  # a quarter of the cap, not of 0.02 · 2^29
    draws = iter([0.0, 0.999])
    spread = RetryPolicy(random=lambda: next(draws))
    assert spread.delay(3) == 0.0
    assert spread.delay(3) == pytest.approx(0.07992)


def test_attempts_are_bounded():
    store = ScriptedStore(outcomes=[gexc.Aborted("contention")] * 10)
    with pytest.raises(ports.Contention, match="gave up after 3 aborted attempts"):
        run_transaction(store, bump, policy(store.events, max_attempts=3))
    assert [event for event, _ in store.events].count("commit") == 3
    assert [event for event, _ in store.events].count("sleep") == 2


def test_no_attempt_starts_after_the_time_budget():
    # The clock at the start, then after each attempt: 5 s in, then 10.5 s in.
    times = iter([0.0, 5.0, 10.5, 10.5])
    clock = lambda: next(times)  # noqa: E731
    store = ScriptedStore(outcomes=[gexc.Aborted("contention")] * 10)
    with pytest.raises(ports.Contention):
        run_transaction(store, bump, policy(store.events, clock=clock, budget=10.0))
    assert [event for event, _ in store.events].count("commit") == 2


def test_a_read_not_answered_is_retried_but_a_commit_not_answered_is_not_run_again():
    store = ScriptedStore(read_failures=[gexc.ServiceUnavailable("down"), gexc.DeadlineExceeded("slow")])
    assert run_transaction(store, bump, policy(store.events)) == "done"
    assert [event for event, _ in store.events] == ["read", "sleep", "read", "sleep", "read", "commit"]

    # The store already sent it again as far as that is safe; running the function again would
    # be a second transaction, which could apply the writes twice.
    store = ScriptedStore(outcomes=[gexc.ServiceUnavailable("down")])
    with pytest.raises(ports.CommitUnanswered):
        run_transaction(store, bump, policy(store.events))
    assert [event for event, _ in store.events] == ["read", "commit", "rollback"]


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (gexc.NotFound("no document"), ports.NotFound),
        (gexc.AlreadyExists("exists"), ports.AlreadyExists),
        (gexc.InvalidArgument("bad"), gexc.InvalidArgument),
        (gexc.PermissionDenied("no"), gexc.PermissionDenied),
    ],
)
def test_other_errors_end_the_transaction_at_once(error, raised):
    store = ScriptedStore(outcomes=[error])
    with pytest.raises(raised):
        run_transaction(store, bump, policy(store.events))
    assert [event for event, _ in store.events] == ["read", "commit", "rollback"]


def test_the_callers_own_error_rolls_back_and_is_not_retried():
    store = ScriptedStore()

    def fail(tx):
        tx.get("things/a")
        raise ValueError("mine")

    with pytest.raises(ValueError, match="mine"):
        run_transaction(store, fail, policy(store.events))
    assert store.events == [("read", b""), ("rollback", b"t1")]


# -- arbitration between the process's transactions ------------------------------------------


def live(arbiter, age, reads):
    attempt = Attempt(age)
    arbiter.enter(attempt)
    arbiter.read(attempt, reads, b"id%d" % age)
    return attempt


def test_an_older_transaction_wounds_a_younger_that_read_what_it_writes():
    arbiter = Arbiter()
    old, young, bystander = live(arbiter, 1, {"a"}), live(arbiter, 2, {"a", "b"}), live(arbiter, 3, {"c"})
    assert arbiter.commit(old, {"a"}) == [young]
    assert young.wounded
    assert young.wounded_by == [old]
    assert not bystander.wounded
    with pytest.raises(Wounded):
        arbiter.commit(young, {"b"})
    with pytest.raises(Wounded):
        arbiter.read(young, {"d"}, b"id2")


def test_a_younger_transaction_steps_back_for_an_older_or_committing_one():
    arbiter = Arbiter()
    old, young = live(arbiter, 1, {"a"}), live(arbiter, 2, {"a"})
    with pytest.raises(StepBack) as stepped:
        arbiter.commit(young, {"a"})
    assert stepped.value.others == [old]
    assert arbiter.commit(old, {"a"}) == [young]  # and the older one goes on

    arbiter = Arbiter()
    old, young = live(arbiter, 1, {"a"}), live(arbiter, 2, {"a"})
    assert arbiter.commit(young, {"b"}) == []  # no conflict: writes what nobody read
    with pytest.raises(StepBack) as stepped:
        arbiter.commit(old, {"a"})  # the younger one is already committing: it cannot be wounded
    assert stepped.value.others == [young]


def test_an_ended_transaction_no_longer_conflicts_and_says_so():
    arbiter = Arbiter()
    old, young = live(arbiter, 1, {"a"}), live(arbiter, 2, {"a"})
    arbiter.leave(old)
    assert old.done.is_set()
    assert arbiter.commit(young, {"a"}) == []
