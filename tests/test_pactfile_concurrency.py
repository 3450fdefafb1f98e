"""Concurrent and repeated writes of one pact file: nothing lost, nothing outside `output`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pactdsl import (
    Contract,
    PactMergeWarning,
    define_contract,
    generate_pact,
    interaction,
    load_pact,
)
from pactdsl.match import like

_ROOT = Path(__file__).resolve().parents[1]
_WRITER = _ROOT / "tests" / "_concurrent_writer.py"


def test_eight_processes_lose_no_interaction(tmp_path: Path) -> None:
    """8 processes merging 50 interactions each, 5 per write, leave all 400 and valid JSON."""
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(_WRITER), str(tmp_path), str(worker), "50", "5"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(8)
    ]
    errors = [(w.wait(timeout=120), w.stderr.read() if w.stderr else "") for w in workers]
    for worker in workers:
        if worker.stderr:
            worker.stderr.close()
    assert [code for code, _ in errors] == [0] * 8, errors
    target = tmp_path / "busy-consumer-busy-provider.json"
    document = json.loads(target.read_text("utf-8"))
    descriptions = [item["description"] for item in document["interactions"]]
    assert len(descriptions) == 400
    assert set(descriptions) == {f"worker-{w}-{n}" for w in range(8) for n in range(50)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy-consumer-busy-provider.json"]


def _contract(name: str, *descriptions: str, status: int = 200) -> Contract:
    return define_contract(
        name,
        consumer="repeat-consumer",
        provider="repeat-provider",
        interactions=[
            interaction(d)
            .given("ready", n=1)
            .request(method="GET", path="/x")
            .responds(status=status, body={"d": like(d)})
            for d in descriptions
        ],
    )


@pytest.mark.parametrize("spec", ["2.0.0", "3.0.0", "4.0"])
def test_unchanged_contract_rewrites_same_bytes(
    tmp_path: Path, clean_registry: None, spec: str
) -> None:
    """Writing an unchanged contract twice leaves the file byte for byte the same."""
    contract = define_contract(
        "same-bytes",
        consumer="c",
        provider="p",
        interactions=[
            interaction("a").request(method="GET", path="/a").responds(status=200, body={"x": 1})
        ],
    )
    path = generate_pact(contract, output=tmp_path, spec=spec)
    first = path.read_bytes()
    again = generate_pact(contract, output=tmp_path, spec=spec)
    assert again == path
    assert path.read_bytes() == first
    overwritten = generate_pact(contract, output=tmp_path, spec=spec, mode="overwrite")
    assert overwritten.read_bytes() == first


def test_merge_replaces_same_description_and_states(tmp_path: Path, clean_registry: None) -> None:
    """Merging keeps other interactions and replaces the one with the same identity."""
    generate_pact(_contract("first", "one", "two"), output=tmp_path)
    with pytest.warns(PactMergeWarning, match=r"keeps 1 interaction\(s\) .*: 'one'; "):
        path = generate_pact(_contract("second", "two", "three", status=201), output=tmp_path)
    pact = load_pact(path)
    assert [i.description for i in pact.interactions] == ["one", "two", "three"]
    assert pact.interaction("two").response.status == 201
    assert pact.interaction("one").response.status == 200


def test_merge_keeps_same_description_with_other_states(
    tmp_path: Path, clean_registry: None
) -> None:
    """An interaction with the same description but other state params is kept beside it."""
    generate_pact(_contract("first", "one"), output=tmp_path)
    other = define_contract(
        "other-states",
        consumer="repeat-consumer",
        provider="repeat-provider",
        interactions=[
            interaction("one")
            .given("ready", n=2)
            .request(method="GET", path="/x")
            .responds(status=204)
        ],
    )
    with pytest.warns(PactMergeWarning, match="mode='overwrite' to drop them"):
        pact = load_pact(generate_pact(other, output=tmp_path))
    assert [(i.description, i.response.status) for i in pact.http_interactions] == [
        ("one", 200),
        ("one", 204),
    ]


def test_overwrite_starts_afresh(tmp_path: Path, clean_registry: None) -> None:
    """mode="overwrite" drops interactions that the new contract does not have."""
    generate_pact(_contract("first", "one", "two"), output=tmp_path)
    path = generate_pact(_contract("second", "three"), output=tmp_path, mode="overwrite")
    assert [i.description for i in load_pact(path).interactions] == ["three"]


def test_merge_into_broken_file_fails_and_keeps_it(tmp_path: Path, clean_registry: None) -> None:
    """Merging into a file that is not JSON raises PactFileError and leaves the file alone."""
    from pactdsl import PactFileError

    target = tmp_path / "repeat-consumer-repeat-provider.json"
    target.write_text("{ not json", "utf-8")
    with pytest.raises(PactFileError, match="not valid JSON"):
        generate_pact(_contract("first", "one"), output=tmp_path)
    assert target.read_text("utf-8") == "{ not json"
    assert not list(tmp_path.glob(".pact-*"))


@pytest.mark.parametrize(
    ("consumer", "provider"),
    [
        ("../../escape", "p"),
        ("c", "/etc/passwd"),
        ("a/b/../../..", "..\\..\\win"),
        ("nul\x00byte", "p\x00"),
        ("c", "sub/dir"),
        ("~user", "$HOME"),
        (".hidden", "p."),
    ],
)
def test_unsafe_names_stay_inside_output(
    tmp_path: Path, clean_registry: None, consumer: str, provider: str
) -> None:
    """Consumer and provider names with /, .., NUL or the like never write outside `output`."""
    output = tmp_path / "out" / "pacts"
    contract = define_contract(
        "unsafe",
        consumer=consumer,
        provider=provider,
        interactions=[interaction("x").request(method="GET", path="/").responds(status=200)],
    )
    path = generate_pact(contract, output=output)
    assert path.parent == output
    assert not path.name.startswith(".")
    everything = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert all(output in p.parents for p in everything)
    assert [p for p in everything if p.suffix == ".json"] == [path]
    assert load_pact(path).consumer == consumer
    assert load_pact(path).provider == provider


@pytest.mark.parametrize("name", ["..", ".", " . ", " "])
def test_names_of_dots_and_spaces_are_encoded_inside_the_folder(tmp_path: Path, name: str) -> None:
    """A name of only dots or spaces is percent-encoded: a visible file inside `output`."""
    from pactdsl import Pact

    path = generate_pact(Pact(name, "p"), output=tmp_path)
    assert path.parent == tmp_path
    assert path.name.startswith("%")
    assert load_pact(path).consumer == name


def test_different_non_ascii_names_get_different_files(tmp_path: Path) -> None:
    """Two consumers whose names differ only outside ASCII no longer merge into one file."""
    from pactdsl import Pact

    first = generate_pact(Pact("клиент", "p"), output=tmp_path)
    second = generate_pact(Pact("顧客", "p"), output=tmp_path)
    assert first != second
    assert load_pact(first).consumer == "клиент"
    assert load_pact(second).consumer == "顧客"


def test_a_long_name_is_cut_with_a_hash(tmp_path: Path) -> None:
    """Names too long for a file name are shortened, distinctly, instead of ENAMETOOLONG."""
    from pactdsl import Pact

    one = generate_pact(Pact("x" * 300 + "1", "p"), output=tmp_path)
    two = generate_pact(Pact("x" * 300 + "2", "p"), output=tmp_path)
    assert one != two
    assert len(one.name) < 120


def test_a_killed_writers_temp_file_is_removed_at_the_next_write(tmp_path: Path) -> None:
    """A temp file left by a writer killed mid-write is cleaned up by the next write."""
    from pactdsl import Pact
    from pactdsl._pactfile._store import _temp_prefix

    target = generate_pact(Pact("c", "p"), output=tmp_path)
    stale = tmp_path / f"{_temp_prefix(target)}deadbeef.tmp"
    stale.write_text("{half")
    generate_pact(Pact("c", "p", ()), output=tmp_path)
    assert not stale.exists()


def test_an_unwritable_output_is_a_pact_file_error(tmp_path: Path) -> None:
    """Writing where a file stands in for the folder is a PactFileError naming the path."""
    from pactdsl import Pact, PactFileError

    blocker = tmp_path / "pacts"
    blocker.write_text("not a folder")
    with pytest.raises(PactFileError, match="pacts"):
        generate_pact(Pact("c", "p"), output=blocker)


def _one_interaction(name: str) -> Contract:
    return define_contract(
        name,
        consumer="mode-consumer",
        provider="mode-provider",
        interactions=[interaction(name).request(method="GET", path="/").responds(status=200)],
    )


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_file_gets_the_usual_mode(
    tmp_path: Path, clean_registry: None, umask: int, expected: int
) -> None:
    """A new pact file gets 0o666 less the umask, like any file the user creates."""
    previous = os.umask(umask)
    try:
        path = generate_pact(_one_interaction("mode-new"), output=tmp_path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == expected


def test_replaced_file_keeps_its_mode(tmp_path: Path, clean_registry: None) -> None:
    """Rewriting an existing pact file with new content keeps the mode the user gave it."""
    path = generate_pact(_one_interaction("mode-first"), output=tmp_path)
    path.chmod(0o640)
    with pytest.warns(PactMergeWarning, match="'mode-first'"):
        generate_pact(_one_interaction("mode-second"), output=tmp_path)
    assert [i.description for i in load_pact(path).interactions] == ["mode-first", "mode-second"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_lock_lives_outside_the_pacts_folder(tmp_path: Path, clean_registry: None) -> None:
    """The lock sits in this user's temp lock folder, keyed by the target path, not beside it."""
    path = generate_pact(_one_interaction("lock-place"), output=tmp_path / "pacts")
    assert [p.name for p in (tmp_path / "pacts").iterdir()] == [path.name]
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()
    lock_dir = Path(tempfile.gettempdir()) / f"pactdsl-locks-{os.getuid()}"
    assert (lock_dir / f"{digest}.lock").is_file()
    assert stat.S_IMODE(lock_dir.stat().st_mode) == 0o700


def test_a_renamed_interaction_is_named_when_the_merge_keeps_it(
    tmp_path: Path, clean_registry: None
) -> None:
    """generate_pact warns naming the old interaction a rename left behind; overwrite drops it."""
    generate_pact(_one_interaction("get user"), output=tmp_path)
    with pytest.warns(PactMergeWarning) as caught:
        path = generate_pact(_one_interaction("fetch user"), output=tmp_path)
    [warning] = caught
    assert str(warning.message) == (
        f"{path} keeps 1 interaction(s) from the file that mode-consumer -> mode-provider does "
        "not produce: 'get user'; if they were renamed or removed, write with mode='overwrite' "
        "to drop them (the provider is still asked to honour them)"
    )
    generate_pact(_one_interaction("fetch user"), output=tmp_path, mode="overwrite")
    assert [i.description for i in load_pact(path).interactions] == ["fetch user"]
