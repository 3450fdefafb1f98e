r"""Hypothesis strategies derived from Pact matchers and contracts.

A contract with matchers promises a *space* of values, not one example. These
strategies draw from that space, so a property-based test sees what a real
provider (or consumer) may send:

```python
from hypothesis import given
from pactdsl.match import each_like, integer, regex
from pactdsl.strategies import from_body, from_matcher, responses

@given(from_matcher(regex(r"\d{3}-\d{4}", "555-0100")))
def test_parse_phone(phone): ...

@given(from_body({"items": each_like({"id": integer(1)}, min=0)}))
def test_render(payload): ...

@given(responses(user_contract, "get user 123"))
def test_client(response): ...
```

Every value drawn satisfies the matcher in pactdsl's matching engine; the
strategies shrink to small values, and their repr names the matcher, such as
``from_matcher(regex('\\d+', '12'))``.

This is the only public module of pactdsl that imports hypothesis, so
``import pactdsl`` stays light. It also offers the fuzzing helpers built on
these strategies: `fuzz_contract` and `fuzz_response_factory`. hypothesis
comes with the ``fuzz`` extra (``pip install "pactdsl[fuzz]"``); without it,
importing this module raises `pactdsl.MissingExtra` saying so.
"""

from __future__ import annotations

# Without hypothesis, `_strategies` raises MissingExtra naming this module.
from pactdsl._fuzz import fuzz_contract
from pactdsl._fuzz_responder import fuzz_response_factory
from pactdsl._strategies import (
    DrawnRequest,
    DrawnResponse,
    from_body,
    from_matcher,
    requests,
    responses,
)

__all__ = [
    "DrawnRequest",
    "DrawnResponse",
    "from_body",
    "from_matcher",
    "fuzz_contract",
    "fuzz_response_factory",
    "requests",
    "responses",
]
