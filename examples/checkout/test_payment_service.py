"""Provider side: payment-service, running on a real port, verified against the contract."""

from checkout_contract import payment_service_contract
from payment_service import PaymentService, serve

from pactdsl import format_verification_report, verify_provider


def test_payment_service_honours_the_contract():
    service = PaymentService()
    with serve(service) as base_url:
        result = verify_provider(
            payment_service_contract,
            base_url=base_url,
            state_setup=service.set_up_state,
            state_teardown=service.tear_down_state,
        )
    report = format_verification_report(result)
    print(report)
    assert not result.failed, report
    assert not result.errors, report
