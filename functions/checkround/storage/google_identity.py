"""Google ID tokens, verified with google-auth: the adapter behind :class:`IdTokenVerifier`.

An admin signs in to ``admin_api`` with a Google-signed ID token (``gcloud auth
print-identity-token``, or a service account's token for a chosen audience). This module checks
what Google vouches for — the RS256 signature against Google's published certificates, expiry,
audience and issuer — and returns the claims; who may act (the allowlist, ``email_verified``)
is decided in ``checkround.rounds.tokens``.

The certificates come from a *key source*, a callable returning ``{key id: PEM certificate}``.
In the cloud it is :class:`GoogleCerts`, which fetches Google's list and keeps it for as long
as its ``Cache-Control: max-age`` allows (google-auth's own ``verify_token`` would fetch it on
every call); tests pass their own certificate, so they need no network.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from google.auth import jwt

from .ports import Doc, InvalidIdToken

log = logging.getLogger("checkround.storage.google_identity")

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")

KeySource = Callable[[], Mapping[str, str]]


class GoogleCerts:
    """Google's signing certificates, fetched on first use and cached until they go stale."""

    def __init__(self, url: str = GOOGLE_CERTS_URL, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self._certs: dict[str, str] = {}
        self._expires = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> Mapping[str, str]:
        with self._lock:
            if time.monotonic() >= self._expires:
                self._certs, max_age = self._fetch()
                self._expires = time.monotonic() + max_age
            return self._certs

    def _fetch(self) -> tuple[dict[str, str], float]:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310 (a constant https URL)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            certs: Any = json.loads(response.read())
            cache_control = response.headers.get("Cache-Control", "")
        if not isinstance(certs, dict) or not all(isinstance(v, str) for v in certs.values()):
            raise ValueError("Google's certificate list is not a {key id: PEM} object")
        found = re.search(r"max-age=(\d+)", cache_control)
        # Google rotates keys well ahead of use; without a max-age, an hour is still safe.
        return certs, float(found.group(1)) if found else 3600.0


class GoogleIdTokenVerifier:
    """Verify a Google-signed ID token for one of ``audiences``; see the module docstring."""

    def __init__(
        self,
        audiences: Sequence[str],
        certs: KeySource | None = None,
        issuers: Sequence[str] = GOOGLE_ISSUERS,
        clock_skew_seconds: int = 10,
    ) -> None:
        self.audiences = list(audiences)
        self.certs: KeySource = certs if certs is not None else GoogleCerts()
        self.issuers = tuple(issuers)
        self.clock_skew_seconds = clock_skew_seconds

    def verify(self, token: str) -> Doc:
        try:
            certs = self.certs()
        except Exception as exc:
            # Google unreachable: nobody can be verified now; the caller answers 401, and the
            # warning tells the operator why admins cannot sign in.
            log.warning("could not fetch Google's ID token certificates: %s", type(exc).__name__)
            raise InvalidIdToken("certificates unavailable") from exc
        try:
            # google-auth ships py.typed but leaves jwt.decode unannotated.
            claims: Mapping[str, Any] = jwt.decode(  # type: ignore[no-untyped-call]
                token, certs=certs, audience=self.audiences, clock_skew_in_seconds=self.clock_skew_seconds
            )
        except Exception as exc:
            # A forged, expired, truncated or otherwise odd token can make google-auth raise
            # ValueError, TypeError, binascii.Error or its own errors; every one of them means
            # "not verified", never a 500. The token itself is never logged.
            raise InvalidIdToken(type(exc).__name__) from exc
        if claims.get("iss") not in self.issuers:
            raise InvalidIdToken("wrong issuer")
        return dict(claims)
