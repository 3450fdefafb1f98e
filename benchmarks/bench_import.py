"""Time `import pactdsl` against `import pact` (pact-python), each in fresh interpreters.

Each sample is a new `python` process that times only the import statement
(interpreter start-up excluded); the best of several samples is reported, as
the least disturbed by other load on the machine.

Run: python benchmarks/bench_import.py [samples]
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = (
    "import time, warnings; warnings.simplefilter('ignore'); t = time.perf_counter(); "
    "import {module}; print(time.perf_counter() - t)"
)


def import_seconds(module: str, samples: int) -> float:
    """Best of `samples` fresh-process timings of `import module`."""
    best = float("inf")
    for _ in range(samples):
        done = subprocess.run(
            [sys.executable, "-X", "frozen_modules=on", "-c", PROBE.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        best = min(best, float(done.stdout.strip().splitlines()[-1]))
    return best


def main(samples: int = 9) -> None:
    ours = import_seconds("pactdsl", samples)
    try:
        theirs: float | None = import_seconds("pact", samples)
    except subprocess.CalledProcessError:
        theirs = None
    print(f"import pactdsl: {ours * 1000:7.1f} ms (best of {samples} fresh interpreters)")
    if theirs is None:
        print("import pact: pact-python is not installed")
    else:
        print(f"import pact:    {theirs * 1000:7.1f} ms (pact-python)")
        print(f"ratio pactdsl / pact-python: {ours / theirs:.2f} (target <= 1.00)")
    row = {"case": "import (fresh interpreter)", "pactdsl": ours, "pact-python": theirs}
    print("BENCH " + json.dumps(row))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
