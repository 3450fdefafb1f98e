"""Provider side: inventory-api verified in-process through its ASGI interface."""

import inventory_api
from inventory_contract import inventory_contract

from pactdsl import format_verification_report, verify_provider


def test_inventory_api_honours_the_contract():
    result = verify_provider(
        inventory_contract,
        app=inventory_api.app,
        state_setup=inventory_api.set_up_state,
        state_teardown=inventory_api.tear_down_state,
    )
    assert len(result.passed) == 3, format_verification_report(result)
