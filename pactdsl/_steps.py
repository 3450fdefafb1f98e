"""The builder steps every interaction kind shares: provider states, pending, comments, key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, cast

import attrs

from pactdsl._matchers import _call_repr
from pactdsl._model import ProviderState

__all__ = ["BuilderSteps"]


class BuilderSteps:
    """Steps shared by the HTTP, message and synchronous-message builders.

    A builder is a frozen attrs class with these four fields; each step returns
    a new builder of the same class.
    """

    __slots__ = ()

    states: tuple[ProviderState, ...]
    interaction_key: str | None
    is_pending: bool
    comments: tuple[str, ...]

    def given(self, state: str, params: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Self:
        """Add a provider state, with parameters (may be called several times).

        Parameters whose names are not Python identifiers go in `params`:
        ``.given("user exists", {"user-id": 1})``.
        """
        merged = {**(params or {}), **kwargs}
        return self._evolve(states=(*self.states, ProviderState(state, merged)))

    def pending(self, flag: bool = True) -> Self:
        """Mark it pending (V4): its failure does not fail verification."""
        return self._evolve(is_pending=flag)

    def comment(self, text: str) -> Self:
        """Add a free-text comment (V4 ``comments.text``)."""
        return self._evolve(comments=(*self.comments, text))

    def key(self, key: str) -> Self:
        """Set the V4 interaction ``key``."""
        return self._evolve(interaction_key=key)

    def _evolve(self, **changes: Any) -> Self:
        # attrs' mypy plugin cannot tell that every subclass is an attrs class.
        changed: Self = attrs.evolve(cast(Any, self), **changes)
        return changed

    def _repr_states(self, text: str) -> str:
        """Append the `.given(...)` calls to `text`."""
        for state in self.states:
            text += "." + _call_repr("given", state.name, **dict(state.params))
        return text

    def _repr_extras(self, text: str) -> str:
        """Append the `.pending()`, `.comment(...)` and `.key(...)` calls to `text`."""
        if self.is_pending:
            text += ".pending()"
        for comment in self.comments:
            text += f".comment({comment!r})"
        if self.interaction_key is not None:
            text += f".key({self.interaction_key!r})"
        return text
