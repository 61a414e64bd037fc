"""firestore.rules on the real emulator: no client may read or write anything directly.

The functions use the server client libraries, which the rules do not govern (IAM does), so
the rules can simply deny everything. A client SDK is played here by the Firestore REST API
with a Firebase ID token, as the Web/mobile SDKs send it: the emulator accepts unsigned
tokens (``alg: none``) as end-user credentials. ``Authorization: Bearer owner`` is the
emulator's admin bypass: the same write succeeding with it shows that the rules, and nothing
else in the request, refused the client.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from checkround import wiring
from checkround.devstack.emulator import Emulator

RULES = Path(__file__).resolve().parents[2] / "firestore.rules"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ruled_emulator(tmp_path_factory):
    emu = Emulator(rules=RULES, log_file=tmp_path_factory.mktemp("rules-emulator") / "emulator.log")
    emu.start()
    yield emu
    emu.stop()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def firebase_user_token(project: str, uid: str = "someone") -> str:
    """An unsigned Firebase Auth ID token for ``uid``: a signed-in end user, to the emulator."""
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "sub": uid,
        "user_id": uid,
        "email": f"{uid}@example.org",
        "email_verified": True,
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "firebase": {"sign_in_provider": "password", "identities": {}},
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def rest(emulator, method, project, path, authorization, body=None):
    url = f"{emulator.base_url}/v1/projects/{project}/databases/(default)/documents/{path}"
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if authorization:  # the emulator answers 500 to an empty header; anonymous sends none
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


DOC = {"fields": {"status": {"stringValue": "open"}}}


@pytest.fixture
def project():
    return f"rules-{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize("who", ["signed-in user", "anonymous"])
def test_a_client_cannot_write(ruled_emulator, project, who):
    auth = f"Bearer {firebase_user_token(project)}" if who == "signed-in user" else ""
    status, body = rest(ruled_emulator, "PATCH", project, "rounds/x", auth, DOC)
    assert status == 403, body
    assert body["error"]["status"] == "PERMISSION_DENIED"
    # Nothing was written: the admin view finds no document.
    assert rest(ruled_emulator, "GET", project, "rounds/x", "Bearer owner")[0] == 404


@pytest.mark.parametrize("path", ["rounds/x", "tokens/abc", "rounds/x/entries/u1"])
def test_a_client_cannot_read_even_an_existing_document(ruled_emulator, project, path):
    assert rest(ruled_emulator, "PATCH", project, path, "Bearer owner", DOC)[0] == 200
    status, body = rest(ruled_emulator, "GET", project, path, f"Bearer {firebase_user_token(project)}")
    assert status == 403, body
    assert body["error"]["status"] == "PERMISSION_DENIED"


def test_the_same_write_with_the_admin_bypass_succeeds(ruled_emulator, project):
    status, body = rest(ruled_emulator, "PATCH", project, "rounds/x", "Bearer owner", DOC)
    assert status == 200, body
    status, body = rest(ruled_emulator, "GET", project, "rounds/x", "Bearer owner")
    assert status == 200
    assert body["fields"]["status"]["stringValue"] == "open"


def test_the_functions_server_client_is_not_governed_by_the_rules(ruled_emulator, project, monkeypatch):
    """What the functions use (the Python server client) still reads and writes."""
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", ruled_emulator.address)
    monkeypatch.setenv("CHECKROUND_PROJECT", project)
    wiring.reset()
    store = wiring.context().store
    store.set("rounds/y", {"status": "draft"})
    assert store.get("rounds/y") == {"status": "draft"}
    status, _ = rest(ruled_emulator, "GET", project, "rounds/y", f"Bearer {firebase_user_token(project)}")
    assert status == 403
