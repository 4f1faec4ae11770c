import logging

from nexus.core.request_context import (
    current_client_address,
    current_request_id,
    current_user_id,
)


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id, client address and user of the request that produced
    it ('-' for each outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        record.client_address = current_client_address()
        record.user_id = current_user_id()
        return True
