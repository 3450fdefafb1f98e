"""Time `import pactdsl` against `import pact` (pact-python), each in fresh interpreters.

Each sample is a new `python` process that times only the import statement
(interpreter start-up excluded); the best of several samples is reported, as
the least disturbed by other load on the machine.

Target: `import pactdsl` no slower than `import pact` (ratio >= 1x).

Run: python benchmarks/bench_import.py [--quick] [samples]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from _bench import emit, target, verdict

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
    row = emit(
        "import",
        "import (fresh interpreter)",
        ours,
        theirs,
        goal=target(">=", 1),
        note=f"best of {samples} fresh interpreters; interpreter start-up excluded",
    )
    print(f"import: {verdict(row)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="import pactdsl against import pact")
    parser.add_argument("samples", nargs="?", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="3 samples instead of 9")
    args = parser.parse_args()
    main(args.samples or (3 if args.quick else 9))
