"""The real Firestore emulator, started once per session on a free port; a project per test."""

from __future__ import annotations

import uuid
from pathlib import Path

import functions_framework
import pytest

from checkround import wiring
from checkround.devstack.emulator import Emulator
from checkround.rounds.tokens import issue_admin_token
from checkround.storage import firestore
from checkround.storage.firestore_client import api_client
from tests.integration.console_helpers import console_app  # noqa: F401 (the admin console, for every suite)
from tests.integration.faults import Faults

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    emu = Emulator(log_file=tmp_path_factory.mktemp("emulator") / "emulator.log")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def project(emulator, monkeypatch):
    """A fresh project id: an empty database for this test only."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
    monkeypatch.setenv("CHECKROUND_PROJECT", name)
    wiring.reset()
    return name


@pytest.fixture
def faults(project, monkeypatch):
    """Failures to inject into the calls of the store the app (and the test) uses."""
    injected = Faults()
    store = firestore.FirestoreStore(api_client([injected]), project)
    monkeypatch.setattr(firestore, "store_for", lambda name: store)
    wiring.reset()
    return injected


@pytest.fixture(scope="session")
def apps():
    """The real entry points, as functions-framework serves them."""
    names = ("admin_api", "unit_api", "web_form", "close_due_rounds")
    built = {name: functions_framework.create_app(target=name, source=str(MAIN)) for name in names}
    built["on_round_closed"] = functions_framework.create_app(
        target="on_round_closed", source=str(MAIN), signature_type="cloudevent"
    )
    return built


class Api:
    """A test client of one function with a bearer token."""

    def __init__(self, app, token=None):
        self.client = app.test_client()
        self.token = token

    def __call__(self, method, path, body=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if body is not None:
            kwargs["json"] = body
        return self.client.open(path, method=method, headers=headers, **kwargs)


@pytest.fixture
def admin(project, apps):
    return Api(apps["admin_api"], issue_admin_token(wiring.context()))


@pytest.fixture
def unit_client(apps):
    def make(token):
        return Api(apps["unit_api"], token)

    return make
