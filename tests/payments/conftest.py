from tests.payments.charges_fixtures import purpose_calls  # noqa: F401 — a fixture for the module
