"""docker-compose.yml is the multi-machine shape: web, worker, redis, chroma, postgres. No
Docker engine runs here, so this checks what holds without one: the file parses, names the
five services, every start command names a program its image provides, and the app's
settings point at the other services by name."""

import importlib.metadata
import importlib.util
import re
import shlex
from urllib.parse import urlsplit

import yaml
from django.core.management import get_commands

from tests.processes import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
BUILT = [name for name, service in SERVICES.items() if service.get("build") == "."]
# The official images and the server program each of them provides.
IMAGE_PROGRAMS = {"redis": "redis-server", "chromadb/chroma": "chroma", "postgres": "postgres"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned() -> dict[str, str]:
    """requirements.txt as distribution → version."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = (line.split(";")[0].strip().split("==") for line in lines if "==" in line)
    return {_normal(name.split("[")[0]): version for name, version in pins}


def image_programs() -> set[str]:
    """What this repository's image puts on PATH beside python: the console scripts of the
    distributions the Dockerfile installs from requirements.txt."""
    pins = pinned()
    return {"python"} | {
        entry.name
        for dist in importlib.metadata.distributions()
        if _normal(dist.metadata["Name"]) in pins
        for entry in dist.entry_points
        if entry.group == "console_scripts"
    }


def steps(command: str | list[str]) -> list[list[str]]:
    """A command as the programs it runs, in order: `sh -c "a && b"` runs a, then b."""
    words = shlex.split(command) if isinstance(command, str) else command
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(step) for step in words[2].split("&&")]
    return [words]


def option(words: list[str], *names: str) -> str:
    return next(words[i + 1] for i, word in enumerate(words) if word in names)


def test_it_describes_the_five_services_with_their_volumes():
    assert set(SERVICES) == {"web", "worker", "redis", "chroma", "postgres"}
    assert set(BUILT) == {"web", "worker"}
    used = {v.split(":")[0] for service in SERVICES.values() for v in service.get("volumes", [])}
    assert used == set(COMPOSE["volumes"])


def test_the_image_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "COPY requirements.txt" in dockerfile
        and "pip install --no-cache-dir -r requirements.txt" in dockerfile
    )
    for package in ("tesseract-ocr", "tesseract-ocr-chi-sim", "poppler-utils"):  # the worker's OCR
        assert package in dockerfile


def test_every_app_command_runs_a_program_the_image_provides():
    programs, commands = image_programs(), get_commands()
    for name in BUILT:
        for words in steps(SERVICES[name]["command"]):
            assert words[0] in programs, (name, words[0])
            if words[0] == "python":
                assert words[1] == "manage.py" and words[2] in commands, (name, words)
            elif words[0] == "gunicorn":
                assert importlib.util.find_spec(words[1]) is not None, words[1]
                assert (ROOT / option(words, "-c", "--config")).is_file()
            elif words[0] == "celery":
                assert importlib.util.find_spec(option(words, "-A", "--app")) is not None
                assert "worker" in words


def test_service_images_run_their_own_server_and_chroma_matches_the_client():
    for name in set(SERVICES) - set(BUILT):
        image, _, tag = SERVICES[name]["image"].partition(":")
        assert tag, f"{name}: pin the image's version"
        command = SERVICES[name].get("command")
        if command:  # otherwise the image's own default command: its server
            assert steps(command)[0][0] == IMAGE_PROGRAMS[image], name
    assert SERVICES["chroma"]["image"] == f"chromadb/chroma:{pinned()['chromadb']}"


def test_the_app_reaches_the_other_services_by_name_and_waits_for_the_database():
    settings_source = (ROOT / "kb_assistant" / "settings.py").read_text()
    postgres = SERVICES["postgres"]
    for name in BUILT:
        env = SERVICES[name]["environment"]
        assert all(f'"{key}"' in settings_source for key in env), "a variable the settings never read"
        database = urlsplit(env["DATABASE_URL"])
        assert (database.hostname, database.username, database.password, database.path) == (
            "postgres",
            postgres["environment"]["POSTGRES_USER"],
            postgres["environment"]["POSTGRES_PASSWORD"],
            "/" + postgres["environment"]["POSTGRES_DB"],
        )
        assert urlsplit(env["REDIS_URL"]).hostname == "redis" and env["CHROMA_HOST"] == "chroma"
        assert SERVICES[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
