"""The benchmarks are scripts, not a package: their modules are imported from bench/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
