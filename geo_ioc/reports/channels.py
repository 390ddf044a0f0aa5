"""How a notification leaves the server: e-mail through Django's default mailer, SMS by HTTP.

The SMS gateway adapter posts JSON `{"to": "+84…", "text": "…"}` with `Authorization: Bearer
<GEO_IOC_SMS_TOKEN>` to `GEO_IOC_SMS_URL`; any 2xx answer is a send, anything else an error.
"""

from __future__ import annotations

import json
import smtplib
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage

SMS_TIMEOUT = 10.0


class SendError(Exception):
    """A channel could not deliver (the sender is down, refused, or answered an error)."""


class NotConfigured(SendError):
    """The channel has no configuration (SMS without GEO_IOC_SMS_URL)."""


@dataclass(frozen=True)
class Email:
    """One e-mail to one address, with its unsubscribe link (also a List-Unsubscribe header)."""

    to: str
    subject: str
    body: str
    unsubscribe: str


def send_email(message: Email) -> None:
    """One message to one address (no other recipient ever sees it)."""
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={
            "List-Unsubscribe": f"<{message.unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        sent = mail.send(fail_silently=False)  # through MAILERS['default']
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"e-mail: {type(exc).__name__}: {exc}") from exc
    if not sent:
        raise SendError("e-mail: the backend sent nothing")


def sms_configured() -> bool:
    """Whether an SMS gateway is configured."""
    return bool(settings.GEO_IOC_SMS_URL)


def plain(text: str) -> str:
    """Vietnamese without accents (đ → d): any phone shows it, and it fits fewer segments."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ord(ch) < 128)


def send_sms(phone: str, text: str) -> None:
    """Post one SMS to the configured gateway."""
    if not sms_configured():
        raise NotConfigured("GEO_IOC_SMS_URL is not set")
    body = json.dumps({"to": phone, "text": text}).encode()
    request = urllib.request.Request(
        settings.GEO_IOC_SMS_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.GEO_IOC_SMS_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=SMS_TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SendError(f"sms: gateway answered {exc.code}") from exc
    except (OSError, urllib.error.URLError) as exc:
        raise SendError(f"sms: {type(exc).__name__}: {exc}") from exc
    if not 200 <= status < 300:
        raise SendError(f"sms: gateway answered {status}")
