"""How a rendered message leaves the portal: e-mail through Django's mail, SMS through a pluggable backend.

A channel raises on failure; the sender records the error and tries again later.
"""

import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from core.masking import mask_mobile

logger = logging.getLogger("notifications")


@dataclass(frozen=True)
class Rendered:
    """A message ready to go: subject and text for every channel, HTML for e-mail, a short SMS text."""

    subject: str
    text: str
    html: str
    sms: str


class EmailChannel:
    """E-mail via the configured EMAIL_BACKEND (EMAIL_URL), text with an HTML alternative."""

    def send(self, *, address: str, message: Rendered, language: str, reference: str = "") -> None:
        headers = {"Content-Language": language, "Auto-Submitted": "auto-generated"}
        if reference:
            # The same outbox row always sends the same Message-ID: a message sent again after a worker
            # died between the mail server's acceptance and our "sent" mark can be dropped as a duplicate.
            headers["Message-ID"] = message_id(reference)
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers=headers,
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        mail.send(fail_silently=False)


def message_id(reference: str) -> str:
    """A Message-ID derived from the outbox row, stable across retries."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tongxin.local"
    return f"<notification.{reference}@{domain}>"


class SMSBackend:
    """The interface an SMS gateway implements: send one text to one mainland mobile number or raise."""

    def send(self, *, mobile: str, text: str) -> None:
        raise NotImplementedError


# A tracking code (10–16 capitals and digits) opens the resident's matter: the log keeps its first three.
_CODE = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{3})[A-Z0-9]{7,13}(?![A-Z0-9])")


def mask_codes(text: str) -> str:
    return _CODE.sub(lambda m: m.group(1) + "*******", text)


class LoggingSMSBackend(SMSBackend):
    """The default: writes the text to the log (number and tracking codes masked) instead of sending it."""

    def send(self, *, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(mobile), mask_codes(text))


class MemorySMSBackend(SMSBackend):
    """Keeps texts in ``MemorySMSBackend.outbox``, like Django's locmem mail backend (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> None:
        MemorySMSBackend.outbox.append((mobile, text))


class SMSChannel:
    """SMS via the backend named in NOTIFICATIONS_SMS_BACKEND."""

    def send(self, *, address: str, message: Rendered, language: str, reference: str = "") -> None:
        backend_path = getattr(
            settings, "NOTIFICATIONS_SMS_BACKEND", "notifications.channels.LoggingSMSBackend"
        )
        import_string(backend_path)().send(mobile=address, text=message.sms)


CHANNELS = {"email": EmailChannel(), "sms": SMSChannel()}


def channel_for(name: str):
    return CHANNELS[name]
