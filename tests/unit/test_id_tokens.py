"""Admin sign-in with Google ID tokens, signed here by a test key (no network).

A throwaway RSA key signs the tokens; its self-signed certificate is served to the verifier
through the injectable key source, the way Google's certificate list is in the cloud.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

from checkround.config import settings
from checkround.errors import AppError
from checkround.http.admin_routes import router as admin_router
from checkround.http.unit_routes import router as unit_router
from checkround.rounds.tokens import authenticate, authenticate_id_token, looks_like_jwt
from checkround.storage.google_identity import GoogleIdTokenVerifier
from tests.support import memory_context
from tests.unit.test_properties import app_for
from tests.unit.test_services import make_round

AUDIENCE = "https://checkround.example.com"
ADMIN = "Admin@Example.org"
KID = "test-key-1"


def _key_and_cert(common_name: str) -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def google_key():
    return _key_and_cert("test-google")


@pytest.fixture(scope="module")
def other_key():
    return _key_and_cert("someone-else")


def sign(key, claims=None, kid=KID, **overrides):
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signer = crypt.RSASigner.from_string(pem, key_id=kid)
    now = int(time.time())
    payload = {
        "iss": "https://accounts.google.com",
        "aud": AUDIENCE,
        "sub": "1234567890",
        "email": ADMIN,
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        **(claims or {}),
    }
    for name, value in overrides.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return jwt.encode(signer, payload).decode()


@pytest.fixture
def fetches():
    """One entry per call of the key source."""
    return []


@pytest.fixture
def ctx(tmp_path, monkeypatch, google_key, fetches):
    monkeypatch.setenv("CHECKROUND_ADMIN_EMAILS", " someone@example.org, admin@example.org ")
    monkeypatch.setenv("CHECKROUND_ID_TOKEN_AUDIENCE", AUDIENCE)
    settings.cache_clear()

    def certs():
        fetches.append(1)
        return {KID: google_key[1]}

    verifier = GoogleIdTokenVerifier(settings().id_token_audiences, certs=certs)
    return dataclasses.replace(memory_context(tmp_path), id_tokens=verifier)


def test_config_reads_the_allowlist_and_audience(ctx):
    assert ctx.settings.admin_emails == frozenset({"someone@example.org", "admin@example.org"})
    assert ctx.settings.id_token_audiences == (AUDIENCE,)


def test_audience_defaults_to_the_public_url(monkeypatch):
    monkeypatch.delenv("CHECKROUND_ID_TOKEN_AUDIENCE", raising=False)
    monkeypatch.setenv("CHECKROUND_PUBLIC_URL", "https://forms.example.org/")
    settings.cache_clear()
    assert settings().id_token_audiences == ("https://forms.example.org",)


def test_a_valid_allowlisted_admin_is_an_admin_named_by_email(ctx, google_key, fetches):
    principal = authenticate_id_token(ctx, sign(google_key[0]))
    assert principal.kind == "admin"
    assert principal.name == "admin@example.org"
    assert principal.actor == "admin:admin@example.org"
    assert fetches  # the certificates came through the injected key source


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "https://elsewhere.example.com"}, id="wrong-audience"),
        pytest.param({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"email": "stranger@example.org"}, id="not-allowlisted"),
        pytest.param({"email_verified": False}, id="email-not-verified"),
        pytest.param({"email_verified": "true"}, id="email-verified-as-string"),
        pytest.param({"email": None}, id="no-email"),
        pytest.param({"iss": "https://evil.example.com"}, id="wrong-issuer"),
    ],
)
def test_refused_tokens_are_unauthenticated(ctx, google_key, overrides):
    with pytest.raises(AppError) as caught:
        authenticate_id_token(ctx, sign(google_key[0], **overrides))
    assert caught.value.code == "unauthenticated"


def test_a_token_signed_by_another_key_is_refused(ctx, other_key):
    with pytest.raises(AppError) as caught:
        authenticate_id_token(ctx, sign(other_key[0]))
    assert caught.value.code == "unauthenticated"


def test_an_unknown_key_id_is_refused(ctx, google_key):
    with pytest.raises(AppError):
        authenticate_id_token(ctx, sign(google_key[0], kid="rotated-away"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "aaaa.bbbb.cccc",  # JWT-shaped, not base64 JSON
        _b64(b'{"alg":"RS256"}') + "." + _b64(b"[1, 2]") + "." + _b64(b"sig"),  # payload not an object
        _b64(b'{"alg":"none"}') + "." + _b64(json.dumps({"email": ADMIN, "aud": AUDIENCE}).encode()) + ".x",
        _b64(b'{"alg":"HS256"}') + "." + _b64(b"{}") + "." + _b64(b"sig"),
        _b64(b"[" * 5000)[:3000] + ".e30.e30",  # deep nesting attempt, cut to fit
    ],
    ids=["garbage", "array-payload", "alg-none", "hs256", "junk-header"],
)
def test_garbage_that_looks_like_a_jwt_is_unauthenticated(ctx, token):
    assert looks_like_jwt(token)
    with pytest.raises(AppError) as caught:
        authenticate_id_token(ctx, token)
    assert caught.value.code == "unauthenticated"


def test_a_tampered_payload_is_refused(ctx, google_key):
    header, _, signature = sign(google_key[0], email="someone@example.org").split(".")
    forged = _b64(json.dumps({"email": ADMIN, "email_verified": True, "aud": AUDIENCE}).encode())
    with pytest.raises(AppError):
        authenticate_id_token(ctx, f"{header}.{forged}.{signature}")


def test_without_an_allowlist_no_token_is_even_verified(tmp_path, monkeypatch, google_key):
    monkeypatch.delenv("CHECKROUND_ADMIN_EMAILS", raising=False)
    settings.cache_clear()
    calls = []
    context = dataclasses.replace(
        memory_context(tmp_path),
        id_tokens=GoogleIdTokenVerifier([AUDIENCE], certs=lambda: calls.append(1) or {KID: google_key[1]}),
    )
    with pytest.raises(AppError):
        authenticate_id_token(context, sign(google_key[0]))
    assert calls == []


def test_a_failing_key_source_is_unauthenticated_not_an_error(ctx, google_key):
    def unreachable():
        raise OSError("network down")

    broken = dataclasses.replace(ctx, id_tokens=GoogleIdTokenVerifier([AUDIENCE], certs=unreachable))
    with pytest.raises(AppError) as caught:
        authenticate_id_token(broken, sign(google_key[0]))
    assert caught.value.code == "unauthenticated"


def test_the_opaque_token_path_never_accepts_a_jwt(ctx, google_key, fetches):
    """``authenticate`` (unit routes, the web form) refuses a JWT before any verification."""
    with pytest.raises(AppError) as caught:
        authenticate(ctx, sign(google_key[0]))
    assert caught.value.code == "unauthenticated"
    assert fetches == []


def test_shape_check():
    assert not looks_like_jwt("q3Jd-opaque_token")
    assert not looks_like_jwt("a.b")
    assert not looks_like_jwt("a.b.c.d")
    assert not looks_like_jwt("a.b.c" + "d" * 5000)
    assert not looks_like_jwt(None)


# Through the real HTTP dispatch: a werkzeug client around dispatch(router, request, ctx).


def test_admin_api_accepts_an_allowlisted_id_token_and_audits_the_email(ctx, google_key):
    make_round(ctx, open_it=False)
    client = app_for(admin_router, ctx)
    headers = {"Authorization": f"Bearer {sign(google_key[0])}", "Content-Type": "application/json"}
    assert client.get("/units", headers=headers).status_code == 200
    opened = client.post("/rounds/r1/open", headers=headers)
    assert opened.status_code == 200, opened.json
    events = client.get("/rounds/r1/audit", headers=headers).json["events"]
    assert [e["actor"] for e in events if e["action"] == "open"] == ["admin:admin@example.org"], events


def test_admin_api_refuses_a_bad_id_token_with_401(ctx, google_key, other_key):
    client = app_for(admin_router, ctx)
    for token in (sign(other_key[0]), sign(google_key[0], email="stranger@example.org"), "aaaa.bbbb.cccc"):
        response = client.get("/units", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthenticated"


def test_unit_api_refuses_a_valid_admin_id_token(ctx, google_key, fetches):
    make_round(ctx, unit_ids=("u1",))  # open, with unit tokens issued
    client = app_for(unit_router, ctx)
    response = client.get("/rounds/r1/form", headers={"Authorization": f"Bearer {sign(google_key[0])}"})
    assert response.status_code in (401, 403)
    assert fetches == []  # not even looked at: unit routes only know opaque tokens


# -- the console's "Sign in with Google" -------------------------------------------------------


@pytest.fixture
def console(ctx, monkeypatch):
    from checkround.http.console import router as console_router

    return app_for(console_router, ctx)


def test_the_console_signs_an_allowlisted_google_account_in(ctx, console, google_key):
    from checkround.http.console.session import SESSION_COOKIE
    from checkround.rounds import audit

    console.set_cookie("g_csrf_token", "double-submit-1")
    answer = console.post("/google", data={"credential": sign(google_key[0]), "g_csrf_token": "double-submit-1"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "rounds"
    assert f"{SESSION_COOKIE}=" in answer.headers["Set-Cookie"]
    page = console.get("/rounds")
    assert page.status_code == 200
    assert "admin@example.org" in page.get_data(as_text=True)
    events = audit.list_events(ctx, None)
    assert [(e["action"], e["actor"], e["method"]) for e in events] == [
        ("console_sign_in", "admin:admin@example.org", "google")
    ]


@pytest.mark.parametrize(
    ("cookie", "sent", "overrides", "status"),
    [
        pytest.param(None, "double-submit-1", {}, 403, id="no-double-submit-cookie"),
        pytest.param("double-submit-1", "other", {}, 403, id="double-submit-mismatch"),
        pytest.param("x", "x", {"email": "stranger@example.org"}, 401, id="not-allowlisted"),
        pytest.param("x", "x", {"aud": "https://elsewhere.example.com"}, 401, id="wrong-audience"),
    ],
)
def test_the_console_refuses_other_google_sign_ins(ctx, console, google_key, cookie, sent, overrides, status):
    from checkround.http.console.session import SESSION_COOKIE

    if cookie:
        console.set_cookie("g_csrf_token", cookie)
    answer = console.post("/google", data={"credential": sign(google_key[0], **overrides), "g_csrf_token": sent})
    assert answer.status_code == status
    assert f"{SESSION_COOKIE}=" not in answer.headers.get("Set-Cookie", "")
    assert console.get("/rounds").status_code == 303


def test_the_sign_in_page_offers_google_when_a_client_is_configured(tmp_path, monkeypatch):
    from checkround.http.console import router as console_router

    monkeypatch.setenv("CHECKROUND_ADMIN_EMAILS", "admin@example.org")
    monkeypatch.setenv("CHECKROUND_GOOGLE_CLIENT_ID", "1234-abc.apps.googleusercontent.com")
    settings.cache_clear()
    assert "1234-abc.apps.googleusercontent.com" in settings().id_token_audiences
    page = app_for(console_router, memory_context(tmp_path)).get("/sign-in")
    html = page.get_data(as_text=True)
    assert 'data-client_id="1234-abc.apps.googleusercontent.com"' in html
    assert '<script src="https://accounts.google.com/gsi/client" async></script>' in html
    assert "script-src 'self' https://accounts.google.com/gsi/client" in page.headers["Content-Security-Policy"]

    monkeypatch.delenv("CHECKROUND_GOOGLE_CLIENT_ID")
    settings.cache_clear()
    plain = app_for(console_router, memory_context(tmp_path)).get("/sign-in")
    assert "accounts.google.com" not in plain.get_data(as_text=True)
    assert "accounts.google.com" not in plain.headers["Content-Security-Policy"]
