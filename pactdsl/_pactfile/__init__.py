"""Pact files: reading any V1-V4 file, writing V2/V3/V4, merging under a lock."""

from pactdsl._pactfile._read import load_pact, pact_from_json
from pactdsl._pactfile._store import pact_file_name, write_pact_file
from pactdsl._pactfile._write import interaction_to_json, pact_to_json

__all__ = [
    "interaction_to_json",
    "load_pact",
    "pact_file_name",
    "pact_from_json",
    "pact_to_json",
    "write_pact_file",
]
