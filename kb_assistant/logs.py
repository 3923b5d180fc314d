"""Logging filters; imported while settings are configured, so nothing here touches Django's apps."""

import logging


class DeniedWithoutTraceback(logging.Filter):
    """A PermissionDenied is Django's way of answering 403, not a fault: keep the one line
    ("Forbidden (Permission denied): /audit/"), drop the traceback Django attaches."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
