"""Consumer version selectors: which consumer versions' pacts a provider verifies.

One frozen `ConsumerVersionSelector` holds a selector as the Pact Broker
defines it (``mainBranch``, ``branch``, ``fallbackBranch``, ``matchingBranch``,
``tag``, ``fallbackTag``, ``latest``, ``deployed``, ``released``,
``deployedOrReleased``, ``environment``, ``consumer``). Users give selectors
as the broker's JSON dicts or as keywords; `parse_selectors` turns either into
this class once, checking every field, and the brokers and the verifier pass
it on: the local broker applies its semantics, the Pact Broker client sends
`ConsumerVersionSelector.to_json`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from pactdsl.broker._errors import InvalidSelector

__all__ = [
    "MAIN_BRANCHES",
    "ConsumerVersionSelector",
    "SelectorLike",
    "parse_selectors",
    "require_provider_branch",
]

# The branches the local broker takes for a pacticipant's main branch: it
# records no mainBranch property, so it goes by the usual names.
MAIN_BRANCHES = ("main", "master")

# Attribute name -> the Pact Broker's JSON key, in the order messages list them.
_JSON_KEYS = {
    "main_branch": "mainBranch",
    "branch": "branch",
    "fallback_branch": "fallbackBranch",
    "matching_branch": "matchingBranch",
    "tag": "tag",
    "fallback_tag": "fallbackTag",
    "latest": "latest",
    "deployed": "deployed",
    "released": "released",
    "deployed_or_released": "deployedOrReleased",
    "environment": "environment",
    "consumer": "consumer",
}
_ATTRIBUTES = {json_key: name for name, json_key in _JSON_KEYS.items()}
_TEXT_FIELDS = ("branch", "fallback_branch", "tag", "fallback_tag", "environment", "consumer")
_FLAG_FIELDS = ("main_branch", "matching_branch", "deployed", "released", "deployed_or_released")
_BRANCH_FIELDS = ("main_branch", "branch", "matching_branch")
_DEPLOYMENT_FIELDS = ("deployed", "released", "deployed_or_released")

Spelling = Callable[[str], str]


def _keyword(name: str) -> str:
    return name


def _json_key(name: str) -> str:
    return _JSON_KEYS[name]


@attrs.frozen(repr=False)
class ConsumerVersionSelector:
    """One Pact Broker consumer version selector; None means the field is not given.

    Build it with keywords (``ConsumerVersionSelector(main_branch=True)``) or
    from the broker's JSON form (`from_json`, or `parse_selectors` for a list).
    Every field is checked at construction, and a selector that cannot work
    raises `InvalidSelector` naming the field.

    Attributes:
        main_branch: The latest version of each consumer's main branch.
        branch: The latest version of this branch.
        fallback_branch: With `branch`: the branch to use when `branch` has none.
        matching_branch: The latest version of the branch named like the
            verifying provider version's branch.
        tag: The versions with this tag (only the latest with `latest`).
        fallback_tag: With `tag` and `latest`: the tag to use when `tag` has none.
        latest: Only the latest version of what the other fields select.
        deployed: The versions currently deployed (to `environment`, or anywhere).
        released: The versions currently released and supported.
        deployed_or_released: Both of those.
        environment: The environment of those (alone: deployed or released there).
        consumer: Only this consumer's versions.
    """

    main_branch: bool | None = None
    branch: str | None = None
    fallback_branch: str | None = None
    matching_branch: bool | None = None
    tag: str | None = None
    fallback_tag: str | None = None
    latest: bool | None = None
    deployed: bool | None = None
    released: bool | None = None
    deployed_or_released: bool | None = None
    environment: str | None = None
    consumer: str | None = None

    def __attrs_post_init__(self) -> None:
        problem = _problem(attrs.asdict(self), _keyword)
        if problem:
            msg = f"{self!r}: {problem}"
            raise InvalidSelector(msg)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ConsumerVersionSelector:
        """Read the Pact Broker's JSON form, e.g. ``{"mainBranch": True}``.

        Raises:
            InvalidSelector: naming the unknown key or the field whose value is wrong.
        """
        unknown = sorted(str(key) for key in value if key not in _ATTRIBUTES)
        if unknown:
            hint = "".join(_did_you_mean(key) for key in unknown)
            msg = (
                f"consumer version selector {dict(value)!r} has keys {unknown} the Pact "
                f"Broker does not know{hint}; use {sorted(_ATTRIBUTES)}"
            )
            raise InvalidSelector(msg)
        values = {_ATTRIBUTES[key]: item for key, item in value.items()}
        # Checked here first so that the message uses the caller's JSON spelling.
        problem = _problem(values, _json_key)
        if problem:
            msg = f"consumer version selector {dict(value)!r}: {problem}"
            raise InvalidSelector(msg)
        return cls(**values)

    def __repr__(self) -> str:
        # Like the call that makes it: only the fields given.
        given = ", ".join(
            f"{name}={value!r}" for name, value in attrs.asdict(self).items() if value is not None
        )
        return f"ConsumerVersionSelector({given})"

    def to_json(self) -> dict[str, Any]:
        """The Pact Broker's JSON form: the fields given, under the broker's keys."""
        return {
            _JSON_KEYS[name]: value
            for name, value in attrs.asdict(self).items()
            if value is not None
        }

    @property
    def deployment(self) -> str | None:
        """Which versions in environments count: deployed, released, both, or None (no filter)."""
        return _deployment(attrs.asdict(self))

    @property
    def latest_only(self) -> bool:
        """Whether only the newest selected version of each consumer counts.

        A branch selector means the head of that branch, as on the Pact
        Broker; deployed and released selectors keep every such version.
        """
        if self.latest is not None:
            return self.latest
        return self.deployment is None and any(
            getattr(self, name) is not None for name in _BRANCH_FIELDS
        )

    def criteria(self, *, fallback: str | None = None) -> str:
        """What the selector asks for, as words: ``latest, consumer web, the main branch``.

        Args:
            fallback: The fallback branch or tag that was used instead, if any.
        """
        words = ["latest"] if self.latest_only else []
        if self.consumer is not None:
            words.append(f"consumer {self.consumer}")
        if self.main_branch:
            words.append("the main branch")
        if self.matching_branch:
            words.append("the branch matching the provider's")
        if self.branch is not None:
            words.append(
                f"branch {fallback} (fallback for {self.branch})"
                if fallback
                else f"branch {self.branch}"
            )
        if self.tag is not None:
            words.append(
                f"tag {fallback} (fallback for {self.tag})" if fallback else f"tag {self.tag}"
            )
        if self.deployment is not None:
            how = {
                "deployed": "currently deployed to",
                "released": "released to",
                "deployedOrReleased": "currently deployed or released to",
            }[self.deployment]
            words.append(f"{how} {self.environment or 'any environment'}")
        return ", ".join(words) or "all"


SelectorLike = ConsumerVersionSelector | Mapping[str, Any]
"""What callers may give for one selector: the class, or the broker's JSON dict."""


def parse_selectors(
    value: Iterable[SelectorLike] | None, *, argument: str = "consumer_version_selectors"
) -> tuple[ConsumerVersionSelector, ...] | None:
    """Parse a list of selectors (dicts in the broker's JSON form, or the class) once.

    Args:
        value: The selectors; None for the broker's default.
        argument: The argument's name, for messages.

    Returns:
        The selectors, or None when `value` is None.

    Raises:
        TypeError: when `value` is not a list, or an item is neither a dict nor a selector.
        InvalidSelector: naming the item and the field that cannot work.
    """
    if value is None:
        return None
    if isinstance(value, Mapping | str | bytes | ConsumerVersionSelector) or not isinstance(
        value, Iterable
    ):
        msg = (
            f"{argument}={value!r} must be a list of selector dicts, "
            'e.g. [{"mainBranch": True}, {"deployedOrReleased": True}]'
        )
        raise TypeError(msg)
    parsed = []
    for index, item in enumerate(value):
        if isinstance(item, ConsumerVersionSelector):
            parsed.append(item)
            continue
        if not isinstance(item, Mapping):
            msg = (
                f"{argument}[{index}]={item!r} ({type(item).__name__}) is not a selector; "
                'each selector is a dict such as {"mainBranch": True}'
            )
            raise TypeError(msg)
        try:
            parsed.append(ConsumerVersionSelector.from_json(item))
        except InvalidSelector as exc:
            raise InvalidSelector(f"{argument}[{index}]: {exc}") from None
    return tuple(parsed)


def require_provider_branch(
    selectors: Iterable[ConsumerVersionSelector], provider_version_branch: str | None
) -> None:
    """Refuse a ``matchingBranch`` selector when the verifying provider's branch is not given.

    Raises:
        InvalidSelector: naming the selector and the argument to give.
    """
    if provider_version_branch:
        return
    for index, selector in enumerate(selectors):
        if selector.matching_branch:
            msg = (
                f"consumer_version_selectors[{index}]: {selector.to_json()!r} selects the "
                "consumer branch named like the verifying provider version's, so it needs "
                "that branch: give provider_version_branch (provider_branch= to "
                "verify_provider, --provider-branch to pactdsl verify)"
            )
            raise InvalidSelector(msg)


def _did_you_mean(key: str) -> str:
    squashed = key.replace("_", "").replace("-", "").lower()
    for known in _ATTRIBUTES:
        if known.lower() == squashed:
            return f" ({key!r}: did you mean {known!r}?)"
    return ""


def _field_problem(values: Mapping[str, Any], spell: Spelling) -> str:
    """What is wrong with one field's value (type, emptiness, a False flag), or ''."""
    for name, value in values.items():
        if value is None:
            continue
        shown = f"{spell(name)}={value!r}"
        if name in _TEXT_FIELDS and (not isinstance(value, str) or not value.strip()):
            return f"{shown} must be a non-empty string"
        if name in _FLAG_FIELDS or name == "latest":
            if not isinstance(value, bool):
                return f"{shown} must be true or false (a bool)"
            if name in _FLAG_FIELDS and not value:
                return f"{shown} selects nothing; give true, or leave {spell(name)} out"
    return ""


def _deployment(values: Mapping[str, Any]) -> str | None:
    if values.get("deployed"):
        return "deployed"
    if values.get("released"):
        return "released"
    if values.get("deployed_or_released") or values.get("environment") is not None:
        return "deployedOrReleased"
    return None


def _problem(values: Mapping[str, Any], spell: Spelling) -> str:
    """Why a selector with `values` (by attribute name) cannot work, or ''."""
    given = [name for name, value in values.items() if value is not None]
    if not given:
        return (
            "it selects nothing; give at least one field, e.g. "
            f"{spell('main_branch')}=True or {spell('deployed_or_released')}=True"
        )
    return _field_problem(values, spell) or _clash(values, given, spell)


def _clash(values: Mapping[str, Any], given: list[str], spell: Spelling) -> str:
    """Which given fields cannot go together, and what to give instead, or ''."""
    branches = [spell(name) for name in (*_BRANCH_FIELDS, "tag") if name in given]
    if len(branches) > 1:
        return f"{' and '.join(branches)} cannot be combined; give one per selector"
    deployments = [spell(name) for name in _DEPLOYMENT_FIELDS if name in given]
    if len(deployments) > 1:
        return (
            f"{' and '.join(deployments)} cannot be combined; "
            f"{spell('deployed_or_released')}=True selects both"
        )
    latest = values.get("latest")
    if "fallback_branch" in given and "branch" not in given:
        return f"{spell('fallback_branch')}={values['fallback_branch']!r} needs {spell('branch')}"
    if "fallback_tag" in given and ("tag" not in given or latest is not True):
        return (
            f"{spell('fallback_tag')}={values['fallback_tag']!r} needs {spell('tag')} and "
            f"{spell('latest')}=True: it stands in for the latest version with that tag"
        )
    if latest is not None and _deployment(values) is not None:
        return (
            f"{spell('latest')}={latest!r} cannot be combined with deployed or released "
            f"versions, which are all selected; leave {spell('latest')} out"
        )
    if latest is False and any(name in given for name in _BRANCH_FIELDS):
        return (
            f"{spell('latest')}=False cannot be combined with a branch, whose latest version "
            f"is selected; leave {spell('latest')} out"
        )
    return ""
