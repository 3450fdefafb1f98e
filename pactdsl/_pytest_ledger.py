"""What a pytest session verified, per pact to publish, and publishing each pact once.

The provider side of the pytest plugin (`pactdsl._pytest_provider`) records
here what each item verified; at the end of the session (on the xdist
controller, from what every worker sent) each pact whose interactions were all
verified is published once. A pact is known by what it is (consumer version,
content, publishing options), not by the test that verified it, so two tests
verifying one pact publish it once. The data is plain JSON, so an xdist
worker can send it to the controller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pactdsl._verify._broker_source import PactToVerify

__all__ = ["Ledger", "outcome_facts"]


def _kept_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The pact's metadata (a Pact Broker's links) less the spec version, which V4 sets."""
    return {key: value for key, value in metadata.items() if key != "pactSpecification"}


class Ledger:
    """Per pact to publish: what to publish, which interactions there are, their outcomes.

    Plain JSON-ready data, so an xdist worker can send it to the controller.
    """

    def __init__(self) -> None:
        self.pacts: dict[str, dict[str, Any]] = {}
        self.lines: list[tuple[str, bool]] = []  # summary lines: (text, is an error)
        self.failed = False

    def expect(self, unit: PactToVerify, publishing: dict[str, Any]) -> str:
        """Note a pact to publish (once, however many tests verify it); return its key."""
        from pactdsl._model import PactSpec
        from pactdsl._pactfile import pact_to_json
        from pactdsl.broker import pact_content_sha

        selected = unit.selected
        sha = (selected.pact_sha if selected is not None else None) or pact_content_sha(unit.pact)
        label = f"{unit.label()} -> {unit.pact.provider}"
        identity = json.dumps([label, sha, publishing], sort_keys=True)
        key = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        self.pacts.setdefault(
            key,
            {
                "label": label,
                "total": len(unit.pact.interactions),
                "outcomes": {},
                "publishing": publishing,
                "pact": pact_to_json(unit.pact, PactSpec.V4, _kept_metadata(unit.pact.metadata)),
                "selected": None
                if selected is None
                else {
                    "consumer_version": selected.consumer_version,
                    "pending": selected.pending,
                    "notices": list(selected.notices),
                    "url": selected.url,
                    "verification_results_url": selected.verification_results_url,
                    "pact_sha": sha,
                },
            },
        )
        return key

    def record(self, pact_key: str, position: int, outcome: Mapping[str, Any]) -> None:
        """Note one interaction's outcome (`outcome_facts`), when its pact is to be published."""
        entry = self.pacts.get(pact_key)
        if entry is not None:
            _keep_outcome(entry["outcomes"], str(position), dict(outcome))

    def merge(self, other: dict[str, dict[str, Any]]) -> None:
        """Take in the pacts and outcomes an xdist worker recorded."""
        for key, theirs in other.items():
            mine = self.pacts.setdefault(key, {**theirs, "outcomes": {}})
            for position, outcome in theirs["outcomes"].items():
                _keep_outcome(mine["outcomes"], position, outcome)

    def publish(self) -> None:
        """Publish each pact whose interactions were all verified; say what was and was not."""
        for key in sorted(self.pacts, key=lambda k: (self.pacts[k]["label"], k)):
            entry = self.pacts[key]
            verified, total = len(entry["outcomes"]), entry["total"]
            if verified < total:
                self.lines.append(
                    (
                        f"not published: {entry['label']}: {verified} of its {total} "
                        "interaction(s) were verified in this session (narrowed by -k, "
                        "stopped by -x, or errors before verifying); results are published "
                        "only for whole pacts",
                        False,
                    )
                )
                continue
            success = all(outcome["success"] for outcome in entry["outcomes"].values())
            try:
                _publish_one(entry, success)
            except Exception as exc:  # reported in the summary and as the exit status
                self.failed = True
                self.lines.append(
                    (f"could not publish {entry['label']}: {type(exc).__name__}: {exc}", True)
                )
                continue
            version = entry["publishing"]["provider_version"]
            verdict = "success" if success else "failure"
            self.lines.append(
                (
                    f"published: {entry['label']}: {verdict} of {total} interaction(s) "
                    f"verified by provider version {version}",
                    False,
                )
            )


def _keep_outcome(
    outcomes: dict[str, dict[str, Any]], position: str, outcome: dict[str, Any]
) -> None:
    """Note an interaction's outcome; when several items verified it, a failure stands."""
    known = outcomes.get(position)
    if known is None or known["success"]:
        outcomes[position] = outcome


def _publish_one(entry: dict[str, Any], success: bool) -> None:
    from pactdsl._pactfile import pact_from_json
    from pactdsl._verify._broker_source import PactToVerify, opened_broker, publish_result
    from pactdsl.broker import LocalBroker, PactForVerification

    pact = pact_from_json(entry["pact"], origin=entry["label"])
    selected = entry["selected"]
    unit = PactToVerify(
        pact,
        None
        if selected is None
        else PactForVerification(
            pact,
            consumer_version=selected["consumer_version"],
            pending=selected["pending"],
            notices=tuple(selected["notices"]),
            url=selected["url"],
            verification_results_url=selected["verification_results_url"],
            pact_sha=selected["pact_sha"],
        ),
    )
    # What the verifier's results say of each interaction, in pact order.
    outcomes = [entry["outcomes"][key] for key in sorted(entry["outcomes"], key=int)]
    entries = [SimpleNamespace(**outcome) for outcome in outcomes]
    publishing = entry["publishing"]
    spec = publishing["broker"]
    choice: Any = LocalBroker(spec["path"]) if spec["kind"] == "local" else True
    with opened_broker(choice) as broker:
        publish_result(
            unit,
            success,
            entries,
            publishing["provider_version"],
            broker,
            branch=publishing["branch"],
            tags=publishing["tags"],
            build_url=publishing["build_url"],
        )
    if spec["kind"] == "local":
        choice.close()


def outcome_facts(success: bool, verified: Any) -> dict[str, Any]:
    """What a publication says of one interaction: its outcome, and its result's facts."""
    reason = getattr(verified, "reason", None) or getattr(verified, "message", None)
    return {
        "success": success,
        "description": verified.description,
        "state_names": list(verified.state_names),
        "status": verified.status,
        "pending": verified.pending,
        "reason": reason or "",
    }
