"""Local servers the notification tests send to: SMTP (aiosmtpd) and an HTTP SMS gateway."""

from __future__ import annotations

import email
import json
import socket
from email.message import Message
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """A free local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_mailer(port: int) -> dict[str, Any]:
    """Django's default mailer as the EMAIL_* variables make it, pointed at a local port."""
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    options = {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10}
    return {"default": {"BACKEND": smtp, "OPTIONS": options}}


class Inbox:
    """An aiosmtpd handler keeping what it received: (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email_policy)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class Gateway:
    """A local HTTP SMS gateway: records each POST, answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.status = 200
        self.fail_first = 0  # answer 503 to this many requests first
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((self.headers["Authorization"], json.loads(body)))
                status = gateway.status
                if gateway.fail_first > 0:
                    gateway.fail_first, status = gateway.fail_first - 1, 503
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
