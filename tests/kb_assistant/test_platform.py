"""Set-up, health, deployment settings and start-up cost."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

from ingestion.embedders import embedder_class
from tests.processes import ROOT


def test_healthz_reports_every_dependency(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {
        "database", "redis", "worker", "chroma", "embedding_model", "local_llm", "cloud",
    }  # fmt: skip
    for name in ("database", "redis", "chroma", "embedding_model", "local_llm"):
        assert body["checks"][name]["ok"], (name, body["checks"][name])
    assert body["checks"]["cloud"]["mode"] == "offline"
    assert response.status_code == (200 if body["ok"] else 503)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(username__in=["alice", "bob", "carol", "kim", "audrey"]).count() == 5
    assert "kim" in out.getvalue() and "kb-demo-2026" in out.getvalue()
    assert User.objects.get(username="kim").groups.filter(name="kb-admins").exists()


def test_create_api_token_prints_a_working_token(client, kim):
    out = StringIO()
    call_command("create_api_token", "kim", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("kb_")
    assert client.get("/api/documents/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def _run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    production = {
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "1",
        "DJANGO_SECRET_KEY": "x7" * 30 + "-production-secret-not-a-real-one",
        "DJANGO_ALLOWED_HOSTS": "kb.example.com",
    }
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env=production)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_setting_is_refused_at_start_up():
    result = _run_manage("check", env={"KB_UPLOAD_MAX_MB": "fifty"})
    assert result.returncode != 0
    assert "KB_UPLOAD_MAX_MB must be an integer" in result.stderr


def test_loading_the_web_app_does_not_import_the_heavy_libraries():
    probe = (
        "import django, sys, json; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import kb_assistant.wsgi;"
        "heavy = ['torch', 'chromadb', 'llama_cpp', 'openai', 'sentence_transformers', 'presidio_analyzer',"
        " 'pypdf', 'docx', 'transformers'];"
        "print(json.dumps([m for m in heavy if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kb_assistant.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.django_db
def test_warm_models_loads_what_a_first_question_needs():
    out = StringIO()
    call_command("warm_models", stdout=out)

    assert out.getvalue().strip() == "ready"  # one quiet line: no library chatter, no labels
    embedder = embedder_class(settings.EMBEDDING_MODEL).package
    assert {"llama_cpp", "presidio_analyzer", embedder} <= set(sys.modules)
