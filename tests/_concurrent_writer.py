"""Helper for test_pactfile_concurrency: one process merging interactions into a pact file.

Usage: python tests/_concurrent_writer.py OUTPUT_DIR WORKER COUNT BATCH

Writes COUNT interactions named ``worker-{WORKER}-{n}``, BATCH per
`generate_pact(mode="merge")` call, so every call takes the lock, reads,
merges and replaces the file while the other workers do the same.
"""

from __future__ import annotations

import sys

from pactdsl import define_contract, generate_pact, interaction
from pactdsl.match import integer, like


def main(output: str, worker: int, count: int, batch: int) -> None:
    """Write `count` interactions of this worker into `output`, `batch` per merge."""
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        contract = define_contract(
            f"concurrent-{worker}-{start}",
            consumer="busy-consumer",
            provider="busy-provider",
            interactions=[
                interaction(f"worker-{worker}-{number}")
                .given("worker", worker=worker)
                .request(method="GET", path=f"/w/{worker}/{number}")
                .responds(status=200, body={"n": integer(number), "who": like("x")})
                for number in numbers
            ],
        )
        generate_pact(contract, output=output, spec="3.0.0", mode="merge")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
