"""E-mail over SMTP with the standard library.

Port 465 speaks TLS from the first byte; any other port upgrades with STARTTLS, which
a server must offer unless it runs on this machine (a test server on 127.0.0.1), and
one on port 587 always. Certificates are checked; every socket operation has a
timeout, and the whole exchange ends by its deadline (the socket is shut down then).
The password is read from the keyring by the caller and never appears in an error.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
import threading
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from publisher.domain.notifications import DEFAULT_SMTP_PORT, EmailChannel, SendFailed
from publisher.i18n import _


def send_email(channel: EmailChannel, password: str | None, address: str, subject: str,
               text: str, *, message_id: str, now: datetime, seconds: float) -> None:
    """Send one message to ``address`` within ``seconds``, or raise SendFailed."""
    if channel.user and not password:
        raise SendFailed(_("no SMTP password in the keyring"))
    message = EmailMessage()
    message["From"] = channel.sender
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id  # the same for a retry: mail clients drop twins
    message.set_content(text)
    context = ssl.create_default_context()  # verifies the certificate and the host name
    client: smtplib.SMTP | None = None
    deadline = threading.Timer(seconds, lambda: _shut(client))
    deadline.start()
    try:
        if channel.implicit_tls:
            client = smtplib.SMTP_SSL(channel.host, channel.port, timeout=seconds,
                                      context=context)
        else:
            client = smtplib.SMTP(channel.host, channel.port, timeout=seconds)
        with client:
            _secure(client, channel, context)
            if channel.user and password:
                client.login(channel.user, password)
            client.send_message(message)
    except SendFailed:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise SendFailed(_("the SMTP server refused the login: {reply}").format(
            reply=_reply(error, password))) from None
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        raise SendFailed(_("the SMTP server refused the address {address}").format(
            address=address), permanent=all(500 <= code < 600 for code in codes)) from None
    except smtplib.SMTPResponseException as error:
        raise SendFailed(_("the SMTP server answered: {reply}").format(
            reply=_reply(error, password)), permanent=500 <= error.smtp_code < 600) from None
    except (smtplib.SMTPException, OSError) as error:
        if deadline.finished.is_set():
            raise SendFailed(_("no answer from the SMTP server within {seconds:.0f} s").format(
                seconds=seconds)) from None
        raise SendFailed(_("cannot reach the SMTP server {host}:{port}: {reason}").format(
            host=channel.host, port=channel.port,
            reason=_scrub(getattr(error, "strerror", None) or type(error).__name__,
                          password))) from None
    finally:
        deadline.cancel()


def _secure(client: smtplib.SMTP, channel: EmailChannel, context: ssl.SSLContext) -> None:
    if channel.implicit_tls:
        return
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls(context=context)
        client.ehlo()
    elif channel.port == DEFAULT_SMTP_PORT or not channel.plain_allowed:
        raise SendFailed(_("the SMTP server {host}:{port} offers no STARTTLS; publisher sends "
                           "mail only over TLS (port 465 is TLS from the start)").format(
            host=channel.host, port=channel.port), permanent=True)


def _shut(client: smtplib.SMTP | None) -> None:
    """Past the deadline: a blocked read or write returns at once."""
    sock = getattr(client, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _reply(error: smtplib.SMTPResponseException, password: str | None) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(
        error.smtp_error, bytes) else str(error.smtp_error)
    return _scrub(f"{error.smtp_code} {' '.join(text.split())}"[:200], password)


def _scrub(text: str, password: str | None) -> str:
    return text.replace(password, "***") if password else text
