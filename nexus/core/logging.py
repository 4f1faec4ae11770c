import logging

from nexus.core.request_context import current_client_address, current_request_id


class RequestIdFilter(logging.Filter):
    """Stamps every log record with the id and client address of the request that produced it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        record.client_address = current_client_address()
        return True
