"""The benchmarks (`make bench`). Each prints its own numbers."""

import runpy
import sys
from pathlib import Path

BENCHES = ["notify_latency.py", "terminology.py"]

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for name in BENCHES:
        print(f"== {name}", flush=True)
        sys.argv = [str(here / name)]
        runpy.run_path(str(here / name), run_name="__main__")
