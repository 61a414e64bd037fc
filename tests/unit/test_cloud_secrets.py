"""A cloud instance refuses to start with a secret left at its local development default.

Each case starts ``functions/main.py`` in a fresh interpreter, the way functions-framework
loads it on the platform, with the environment the platform sets (``K_SERVICE``, and
``FUNCTION_TARGET``, which functions-framework also sets locally); without ``K_SERVICE`` the
development pepper is fine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "functions" / "main.py"
START = (
    "import sys, functions_framework\n"
    "functions_framework.create_app(target=sys.argv[1], source=sys.argv[2], signature_type=sys.argv[3])\n"
    "print('started')\n"
)
PEPPER = "CHECKROUND_TOKEN_PEPPER"
NOTIFY_KEY = "CHECKROUND_NOTIFY_KEY"


def start(target: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"K_SERVICE", "FUNCTION_TARGET", PEPPER, NOTIFY_KEY}}
    kind = "cloudevent" if target.startswith("on_") else "http"
    return subprocess.run(
        [sys.executable, "-c", START, target, str(MAIN), kind],
        env={**base, "PYTHONPATH": str(ROOT / "functions"), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("platform", "pepper"),
    [
        ({"K_SERVICE": "web-form", "FUNCTION_TARGET": "web_form"}, None),
        ({"K_SERVICE": "web-form", "FUNCTION_TARGET": "web_form"}, "local-development-pepper"),
        ({"K_SERVICE": "web-form", "FUNCTION_TARGET": "web_form"}, ""),
        ({"K_SERVICE": "unit-api", "FUNCTION_TARGET": "unit_api"}, None),
        ({"K_SERVICE": "checkround"}, None),
    ],
)
def test_a_cloud_instance_with_the_development_pepper_does_not_start(platform, pepper):
    env = dict(platform) | ({PEPPER: pepper} if pepper is not None else {})
    started = start(platform.get("FUNCTION_TARGET", "admin_api"), **env)
    assert started.returncode != 0
    assert "started" not in started.stdout
    assert "refusing to start" in started.stderr
    assert "CHECKROUND_TOKEN_PEPPER is unset or left at its local development default" in started.stderr


@pytest.mark.parametrize(
    ("target", "env"),
    [
        ("web_form", {"K_SERVICE": "web-form", "FUNCTION_TARGET": "web_form", PEPPER: "a-real-secret-from-sm"}),
        # Not given the pepper (infra/iam.tf), and does not use it.
        ("on_round_closed", {"K_SERVICE": "on-round-closed", "FUNCTION_TARGET": "on_round_closed"}),
        # The scheduler's tick and the dispatcher issue links: the pepper and the notify key.
        (
            "close_due_rounds",
            {"K_SERVICE": "close-due-rounds", "FUNCTION_TARGET": "close_due_rounds", PEPPER: "p", NOTIFY_KEY: "k"},
        ),
        (
            "on_outbox_created",
            {"K_SERVICE": "on-outbox-created", "FUNCTION_TARGET": "on_outbox_created", PEPPER: "p", NOTIFY_KEY: "k"},
        ),
        # Locally (functions-framework sets FUNCTION_TARGET itself): make run's default is fine.
        ("web_form", {}),
        ("unit_api", {"FUNCTION_TARGET": "unit_api"}),
    ],
)
def test_an_instance_starts_when_its_secrets_are_set_or_it_is_local(target, env):
    started = start(target, **env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith("started")


@pytest.mark.parametrize("target", ["close_due_rounds", "on_outbox_created"])
def test_the_functions_that_issue_links_need_the_notify_key(target):
    started = start(target, K_SERVICE=target.replace("_", "-"), FUNCTION_TARGET=target, **{PEPPER: "a-real-one"})
    assert started.returncode != 0
    assert "CHECKROUND_NOTIFY_KEY is unset or left at its local development default" in started.stderr


def test_every_secret_with_a_local_default_names_real_entry_points():
    from checkround.config import SECRETS_WITH_LOCAL_DEFAULTS
    from tests.unit.test_infra import _entry_points

    for default, users in SECRETS_WITH_LOCAL_DEFAULTS.values():
        assert default
        assert users
        assert users <= set(_entry_points())
