"""Secrets never reach the log: `?token=…` and the like are masked in every line of the server."""

from __future__ import annotations

import logging
import re

# Query parameters that carry a credential.
SECRET_PARAMS = re.compile(
    r"(?P<name>[?&](?:token|access_token|key|api_key|ticket|password)=)[^&\s\"']+", re.I
)


def redact(text: str) -> str:
    """The text with the values of secret query parameters masked."""
    return SECRET_PARAMS.sub(r"\g<name>[redacted]", text)


class RedactSecrets(logging.Filter):
    """A handler filter: format the record's message once, masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask, and always let the record through."""
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
