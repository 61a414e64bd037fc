"""The local functions host: connections stay open between requests, as behind Cloud
Functions' front end; stopping lets the requests under way answer, closes idle connections at
once and frees the port."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest

from checkround.devstack import host as host_module
from checkround.devstack.emulator import free_port, port_is_free
from checkround.devstack.host import Host

pytestmark = pytest.mark.integration


@pytest.fixture
def host(project):
    running = Host("127.0.0.1", free_port())
    running.start()
    yield running
    running.stop()


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, bool, dict]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.will_close, json.loads(response.read())


def test_one_connection_serves_request_after_request(host):
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
    status, will_close, body = get(connection, "/unit_api/healthz")
    assert (status, will_close, body["function"]) == (200, False, "unit_api")
    first_socket = connection.sock
    for name in ("admin_api", "web_form", "unit_api"):
        status, will_close, body = get(connection, f"/{name}/healthz")
        assert (status, will_close, body["function"]) == (200, False, name)
    assert connection.sock is first_socket  # http.client reconnects silently when a server closes
    connection.close()


def test_requests_are_served_side_by_side(host):
    """A slow request does not hold up the others (a pool of workers, not one)."""
    results: list[int] = []

    def call() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
        results.append(get(connection, "/unit_api/healthz?deep=1")[0])
        connection.close()

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 12


def test_stopping_closes_open_connections_and_frees_the_port(project):
    running = Host("127.0.0.1", free_port())
    running.start()
    idle = socket.create_connection(("127.0.0.1", running.port))
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
    assert get(connection, "/unit_api/healthz")[0] == 200
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 5
    assert port_is_free("127.0.0.1", running.port)
    idle.settimeout(5)
    assert idle.recv(1) == b""  # the server closed it
    idle.close()
    connection.close()


def test_stopping_lets_a_request_under_way_finish_and_answer(project, monkeypatch):
    """A request that is being served when the host stops still gets its answer (its
    transaction may have committed: cutting the answer off would hide that)."""
    started = threading.Event()

    def slow_app(environ, start_response):
        started.set()
        time.sleep(1.0)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
        return [b"done"]

    monkeypatch.setattr(host_module, "build_app", lambda: slow_app)
    running = Host("127.0.0.1", free_port())
    running.start()
    answers: list[tuple[int, bytes]] = []

    def call() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
        connection.request("GET", "/slow")
        response = connection.getresponse()
        answers.append((response.status, response.read()))
        connection.close()

    caller = threading.Thread(target=call)
    caller.start()
    assert started.wait(5)
    running.stop()
    caller.join(10)
    assert answers == [(200, b"done")]
    assert port_is_free("127.0.0.1", running.port)


def test_stopping_while_the_loop_wakes_on_its_own(monkeypatch):
    """stop() asks the loop to end and then wakes it; if the loop wakes on its own in between
    (a connection arrives) it must not close the wake-up channel before stop() has used it
    (that raised EBADF from stop(), now and then, on a busy machine)."""
    monkeypatch.setattr(host_module, "build_app", lambda: lambda environ, start_response: [])
    loop_returns: list[float] = []
    real_loop = host_module.wasyncore.loop

    class Wasyncore:
        @staticmethod
        def loop(**kwargs):
            real_loop(**kwargs)
            loop_returns.append(time.monotonic())

    monkeypatch.setattr(host_module, "wasyncore", Wasyncore)
    running = Host("127.0.0.1", free_port())
    running.start()
    server = running._server
    real_pull = server.pull_trigger
    window: list[float] = []

    def pull_late() -> None:
        window.append(time.monotonic())
        # A connection arrives while stop() is between asking and waking: the loop wakes for it.
        socket.create_connection(("127.0.0.1", running.port)).close()
        time.sleep(0.5)
        window.append(time.monotonic())
        real_pull()

    server.pull_trigger = pull_late
    errors: list[BaseException] = []

    def stop() -> None:
        try:
            running.stop()
        except BaseException as error:
            errors.append(error)

    stopper = threading.Thread(target=stop)
    stopper.start()
    stopper.join(70)
    assert not stopper.is_alive()
    assert errors == []
    # The race happened: the loop came back from waiting while stop() was still to wake it.
    assert any(window[0] < moment < window[1] for moment in loop_returns)
    assert port_is_free("127.0.0.1", running.port)
