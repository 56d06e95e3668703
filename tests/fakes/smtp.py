"""A real SMTP server on 127.0.0.1 (port 0) for the notification tests (aiosmtpd).

It keeps every message it accepted; ``fail_next`` makes the next messages get a
temporary refusal (451) at DATA; with ``password`` set it asks for a login (AUTH
PLAIN or LOGIN, allowed without TLS: it is this machine). ``on_message`` runs when
a message arrives (a test checks what had happened by then).
"""

from __future__ import annotations

import email
import email.policy
import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from fakes.base import FakeServer, Request

logging.getLogger("mail.log").setLevel(logging.ERROR)  # its warnings are about the fake


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_content()


class _Handler:
    def __init__(self, server: FakeSmtp):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope) -> str:
        with self.server.lock:
            if self.server.failures:
                self.server.failures -= 1
                self.server.refused += 1
                return "451 4.3.0 try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        if self.server.on_message:
            self.server.on_message()
        return "250 OK"


class _PortZero(Controller):
    """aiosmtpd's controller, on the port the system gave (it wakes its server on
    ``self.port``, so that must be the real one first)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class FakeSmtp:
    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.messages: list[Received] = []
        self.failures = 0
        self.refused = 0
        self.logins: list[tuple[str, bool]] = []
        self.lock = threading.Lock()
        self.on_message: Callable[[], None] | None = None
        self.user, self.password = user, password
        options = {}
        if password is not None:
            options = {"authenticator": self._authenticate, "auth_required": True,
                       "auth_require_tls": False}
        with warnings.catch_warnings():  # AUTH without TLS: on purpose, on this machine
            warnings.simplefilter("ignore")
            self._controller = _PortZero(_Handler(self), hostname="127.0.0.1", port=0,
                                         **options)

    def _authenticate(self, _server, _session, _envelope, _mechanism, data) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and data.login.decode() == self.user
              and data.password.decode() == self.password)
        self.logins.append((data.login.decode() if isinstance(data, LoginPassword) else "?",
                            ok))
        return AuthResult(success=ok, handled=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._controller.port}"

    def fail_next(self, count: int = 1) -> None:
        with self.lock:
            self.failures += count

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.recipients]

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class FakeWebhook(FakeServer):
    """A webhook receiver: every POST is kept and answered 200 (or as scripted)."""

    def handle(self, request: Request) -> tuple[int, object, dict[str, str]]:
        return 200, {"ok": True}, {}
