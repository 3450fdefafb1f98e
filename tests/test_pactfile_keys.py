"""V4 interaction keys: automatic content hashes on write, recognised (as no key) on read."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pactdsl import (
    Contract,
    define_contract,
    generate_pact,
    interaction,
    load_pact,
    message,
    sync_message,
)
from pactdsl.match import integer, like


def _expected_key(item: dict[str, Any]) -> str:
    """The documented formula, written out independently of the implementation."""
    rest = {k: v for k, v in item.items() if k not in ("key", "pending", "comments")}
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def _contract(
    name: str,
    *,
    status: int = 200,
    description: str = "get user",
    stateful: bool = True,
    extra: Any = None,
) -> Contract:
    builder = interaction(description)
    if stateful:
        builder = builder.given("user 1 exists", id=1)
    builder = builder.request(method="GET", path="/users/1").responds(
        status=status, body={"id": integer(1), "name": like("Ann")}
    )
    if extra is not None:
        builder = extra(builder)
    return define_contract(name, consumer="key-app", provider="key-api", interactions=[builder])


def _items(path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["interactions"]
    return items


def test_v4_http_interaction_without_key_gets_the_documented_hash(tmp_path: Path) -> None:
    """An HTTP interaction with no key is written with sha256(canonical JSON)[:16] as its key."""
    (item,) = _items(generate_pact(_contract("keys-http"), tmp_path, spec="4.0"))
    assert len(item["key"]) == 16
    assert int(item["key"], 16) >= 0
    assert item["key"] == _expected_key(item)


def test_automatic_key_is_the_same_in_another_process(tmp_path: Path) -> None:
    """The same interaction gets the same key in a fresh interpreter with another hash seed."""
    (here,) = _items(generate_pact(_contract("keys-proc"), tmp_path / "a", spec="4.0"))
    script = (
        "import json, sys\n"
        "from pactdsl import define_contract, generate_pact, interaction\n"
        "from pactdsl.match import integer, like\n"
        "c = define_contract('keys-proc-child', consumer='key-app', provider='key-api',"
        " interactions=[interaction('get user').given('user 1 exists', id=1)"
        ".request(method='GET', path='/users/1')"
        ".responds(status=200, body={'id': integer(1), 'name': like('Ann')})])\n"
        "p = generate_pact(c, sys.argv[1], spec='4.0')\n"
        "print(json.loads(p.read_text())['interactions'][0]['key'])\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    assert out.stdout.strip() == here["key"]


def test_key_changes_with_content_but_not_with_pending_or_comments(tmp_path: Path) -> None:
    """The key follows request, response, description and states; pending and comments not."""

    def key_of(name: str, **options: Any) -> str:
        (item,) = _items(generate_pact(_contract(name, **options), tmp_path / name, spec="4.0"))
        return str(item["key"])

    base = key_of("keys-base")
    assert key_of("keys-status", status=201) != base
    assert key_of("keys-desc", description="get a user") != base
    assert key_of("keys-state", extra=lambda b: b.given("admin")) != base
    assert key_of("keys-pending", extra=lambda b: b.pending().comment("later")) == base


def test_user_key_is_written_as_given(tmp_path: Path) -> None:
    """A key set with .key(...) is written unchanged and reads back as given."""
    made = _contract("keys-user", extra=lambda b: b.key("my-key"))
    path = generate_pact(made, tmp_path, spec="4.0")
    assert _items(path)[0]["key"] == "my-key"
    assert load_pact(path).interactions[0].key == "my-key"
    assert load_pact(path) == made.pact


def test_automatic_key_reads_back_as_none(tmp_path: Path) -> None:
    """Reading the file back gives key=None, so the written pact equals the contract's."""
    made = _contract("keys-read", extra=lambda b: b.pending().comment("c"))
    loaded = load_pact(generate_pact(made, tmp_path, spec="4.0"))
    assert loaded.interactions[0].key is None
    assert loaded == made.pact


def test_stale_or_foreign_key_is_kept_on_read(tmp_path: Path) -> None:
    """A key that is not the hash of the interaction as read (edited file, other tool) is kept."""
    path = generate_pact(_contract("keys-stale"), tmp_path, spec="4.0")
    document = json.loads(path.read_text("utf-8"))
    old_key = document["interactions"][0]["key"]
    document["interactions"][0]["description"] = "get user, edited by hand"
    assert load_pact(document).interactions[0].key == old_key
    document["interactions"][0]["key"] = "c05e8d0d3e683897"
    assert load_pact(document).interactions[0].key == "c05e8d0d3e683897"


def test_v3_file_carries_no_key(tmp_path: Path) -> None:
    """Only V4 has keys: a V3 file of an interaction without a key has none."""
    (item,) = _items(generate_pact(_contract("keys-v3"), tmp_path, spec="3.0.0"))
    assert "key" not in item


def test_messages_get_automatic_keys_and_read_back_equal(tmp_path: Path) -> None:
    """Asynchronous and synchronous messages get distinct automatic keys and round trip."""
    made = define_contract(
        "keys-messages",
        consumer="key-app",
        provider="key-bus",
        interactions=[
            message("user created").given("a user").with_content({"id": integer(1)}),
            sync_message("price query")
            .with_request({"sku": "A"})
            .with_response({"price": integer(10)}),
            message("user deleted").with_content({"id": integer(1)}).key("kept"),
        ],
    )
    path = generate_pact(made, tmp_path, spec="4.0")
    created, query, deleted = _items(path)
    assert created["key"] == _expected_key(created)
    assert query["key"] == _expected_key(query)
    assert created["key"] != query["key"]
    assert deleted["key"] == "kept"
    loaded = load_pact(path)
    assert [i.key for i in loaded.interactions] == [None, None, "kept"]
    assert loaded == made.pact


def test_merge_keeps_identity_and_rekeys_a_changed_interaction(tmp_path: Path) -> None:
    """Merging replaces an interaction by description + states; its key follows its new content."""
    first = generate_pact(_contract("keys-merge-a"), tmp_path, spec="4.0")
    (old,) = _items(first)
    second = generate_pact(_contract("keys-merge-b", status=203), tmp_path, spec="4.0")
    assert second == first
    (new,) = _items(second)
    assert new["response"]["status"] == 203
    assert new["key"] == _expected_key(new) != old["key"]
    assert load_pact(second).interactions[0].key is None
