"""How a rendered message leaves the portal: e-mail through Django's mail, SMS through a pluggable backend.

A channel raises on failure; the sender records the error and tries again later.
"""

import logging
from dataclasses import dataclass

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

    def send(self, *, address: str, message: Rendered, language: str) -> None:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        mail.send(fail_silently=False)


class SMSBackend:
    """The interface an SMS gateway implements: send one text to one mainland mobile number or raise."""

    def send(self, *, mobile: str, text: str) -> None:
        raise NotImplementedError


class LoggingSMSBackend(SMSBackend):
    """The default: writes the text to the log (number masked) instead of sending it."""

    def send(self, *, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


class MemorySMSBackend(SMSBackend):
    """Keeps texts in ``MemorySMSBackend.outbox``, like Django's locmem mail backend (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, mobile: str, text: str) -> None:
        MemorySMSBackend.outbox.append((mobile, text))


class SMSChannel:
    """SMS via the backend named in NOTIFICATIONS_SMS_BACKEND."""

    def send(self, *, address: str, message: Rendered, language: str) -> None:
        backend_path = getattr(
            settings, "NOTIFICATIONS_SMS_BACKEND", "notifications.channels.LoggingSMSBackend"
        )
        import_string(backend_path)().send(mobile=address, text=message.sms)


CHANNELS = {"email": EmailChannel(), "sms": SMSChannel()}


def channel_for(name: str):
    return CHANNELS[name]
