"""V3/message_provider.feature: the verifier calls message producers and matches what they make."""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

from tests.compatibility import _suite

if _suite.suite_present():
    scenarios(_suite.feature_path("V3/message_provider.feature"))
else:
    test_compatibility_suite_is_present = _suite.test_compatibility_suite_is_present


@pytest.fixture
def version() -> str:
    """The feature's spec version."""
    return "V3"
