"""Telegram channels through the Bot API: sendMessage, sendPhoto, sendMediaGroup.

- The bot token sits in the URL path (``/bot<token>/``): every message that
  could carry a URL is redacted (platforms/common/http.py), and nothing here logs URLs.
- The bot must be an administrator of the channel with the right to post;
  "chat not found" or "not enough rights" hold the account for a person.
- Telegram has no alt text: images go out without it (the editor says so).
  No language field either.
- Telegram builds its own link preview; ``link_card = false`` turns it off
  (sendMessage's ``link_preview_options.is_disabled``).
- No idempotency key: after a crash the outcome is unknown for a person.
- The permalink is t.me/<channel>/<message_id> for a public channel, and
  t.me/c/<id>/<message_id> for a private one (-100… ids).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from publisher.domain.accounts import Account
from publisher.domain.textrules import count_text, utf16_length
from publisher.platforms.base import (
    AuthFailed,
    Identity,
    NotFound,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    TokenStatus,
    Transient,
)
from publisher.platforms.common.adapters import TokenAdapter
from publisher.platforms.common.http import json_object, redact, request
from publisher.platforms.common.media import image_type, media_problems

log = logging.getLogger("publisher.telegram")

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

CAPTION_LIMIT = 1024
MAX_IMAGES = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
ALT_TEXT_SUPPORTED = False


def make_adapter(account: Account, adapters: Adapters) -> TelegramAdapter:
    return TelegramAdapter.for_account(account, adapters, chat=account.handle)


@dataclass(repr=False)
class TelegramAdapter(TokenAdapter):
    chat: str | None = None
    platform: str = "telegram"

    def __repr__(self) -> str:
        return f"TelegramAdapter(base_url={self.base_url!r}, chat={self.chat!r})"

    def _call(self, method: str, **kwargs: Any) -> dict:
        if not self.token:
            raise self._missing_token("bot token")
        response = request(self.session, "POST", f"{self.base_url}/bot{self.token}/{method}",
                           secrets=self._secrets, **kwargs)
        if response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code}", maybe_sent=response.status_code != 503)
        body = json_object(response)
        if body.get("ok"):
            return body
        failure = bot_api_failure(response.status_code, body, self._secrets, self.clock())
        lowered = failure.message.lower()
        if isinstance(failure, Refused) and (
                failure.code == 403 or "chat not found" in lowered
                or "not enough rights" in lowered):
            raise AuthFailed(f"{failure.message} (add the bot to {self.chat} as an "
                             "administrator allowed to post)")
        raise failure

    def _chat(self) -> str:
        if not self.chat:
            raise Rejected("the account has no channel: set its handle to the channel",
                           remedy=self._set_handle("@channel"))
        return self.chat

    # The interface

    def validate(self, post: Post) -> list[str]:
        problems = list(count_text("telegram", post.text, has_media=bool(post.media)).problems)
        problems += media_problems("Telegram", post.media, max_images=MAX_IMAGES,
                                   max_bytes=MAX_PHOTO_BYTES)
        if len(post.media) > 1 and utf16_length(post.text) > CAPTION_LIMIT:
            problems.append("an album's caption is limited to 1024 characters")
        return problems

    def publish(self, post: Post, idempotency_key: str) -> Published:
        published = self._send(post)
        if post.options.pin and post.reply_to is None:
            self._pin(published, post)
        return published

    def _send(self, post: Post) -> Published:
        chat = self._chat()
        if not post.media:
            result = self._call("sendMessage", json=_message(post, chat))
        elif len(post.media) == 1 and utf16_length(post.text) <= CAPTION_LIMIT:
            media = post.media[0]
            with open(media.path, "rb") as handle:
                result = self._call(
                    "sendPhoto", data={"chat_id": chat, "caption": post.text,
                                       **_form(_reply_fields(post))},
                    files={"photo": (media.path.name, handle, image_type(media.path))},
                )
        elif len(post.media) == 1:
            # A long text cannot be a caption: the photo first, then the text.
            return self._photo_then_text(post, chat)
        else:
            result = self._album(post, chat)
        message = result["result"]
        if isinstance(message, list):  # an album answers with all its messages
            message = message[0]
        return Published(str(message["message_id"]), self._permalink(message))

    def _pin(self, published: Published, post: Post) -> None:
        """Pin the first message of a post (``pin = true``). The message is out already:
        a pin that fails is logged, never a reason to send the message again."""
        try:
            self._call("pinChatMessage", json={
                "chat_id": self._chat(), "message_id": int(published.remote_id),
                "disable_notification": post.options.silent})
        except PlatformError as error:
            log.warning("telegram: message %s was sent but not pinned: %s",
                        published.remote_id, error.message)

    def _photo_then_text(self, post: Post, chat: str) -> Published:
        media = post.media[0]
        with open(media.path, "rb") as handle:
            self._call("sendPhoto", data={"chat_id": chat, **_form(_reply_fields(post))},
                       files={"photo": (media.path.name, handle, image_type(media.path))})
        message = self._call("sendMessage", json=_message(post, chat))["result"]
        return Published(str(message["message_id"]), self._permalink(message))

    def _album(self, post: Post, chat: str) -> dict:
        import json

        handles = [open(media.path, "rb") for media in post.media]  # noqa: SIM115
        try:
            group = [
                {"type": "photo", "media": f"attach://photo{n}",
                 **({"caption": post.text} if n == 0 else {})}
                for n in range(len(post.media))
            ]
            files = {
                f"photo{n}": (media.path.name, handle, image_type(media.path))
                for n, (media, handle) in enumerate(zip(post.media, handles, strict=True))
            }
            return self._call("sendMediaGroup",
                              data={"chat_id": chat, "media": json.dumps(group),
                                    **_form(_reply_fields(post))}, files=files)
        finally:
            for handle in handles:
                handle.close()

    def find(self, idempotency_key: str, post: Post) -> Published | NotFound | None:
        return None  # a bot cannot read a channel's history

    def resend_is_safe(self, claimed_at: datetime, now: datetime) -> bool:
        return False

    def token_status(self) -> TokenStatus:
        # Bot tokens do not expire (BotFather can revoke them).
        return TokenStatus(None)

    def check(self) -> Identity:
        bot = self._call("getMe")["result"]
        chat = self._call("getChat", json={"chat_id": self._chat()})["result"]
        name = chat.get("title") or chat.get("username") or self.chat
        return Identity(f"@{bot.get('username', '?')} in {name}",
                        f"https://t.me/{chat['username']}" if chat.get("username") else None)

    def _permalink(self, message: dict) -> str | None:
        chat = message.get("chat") or {}
        message_id = message.get("message_id")
        if chat.get("username"):
            return f"https://t.me/{chat['username']}/{message_id}"
        chat_id = str(chat.get("id", ""))
        if chat_id.startswith("-100"):
            return f"https://t.me/c/{chat_id[4:]}/{message_id}"
        if self.chat and self.chat.startswith("@"):
            return f"https://t.me/{self.chat[1:]}/{message_id}"
        return None


def _reply_fields(post: Post) -> dict[str, object]:
    """A thread's part replies to the message before it (reply_parameters); ``silent``
    sends without a notification (disable_notification)."""
    fields: dict[str, object] = {}
    if post.reply_to is not None:
        fields["reply_parameters"] = {"message_id": int(post.reply_to.remote_id)}
    if post.options.silent:
        fields["disable_notification"] = True
    return fields


def _form(fields: dict[str, object]) -> dict[str, str]:
    """The same fields in a multipart form: objects as JSON, booleans as true."""
    import json

    return {key: json.dumps(value) for key, value in fields.items()}


class Refused(Rejected):
    """The Bot API said no; ``code`` is its error_code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _message(post: Post, chat: str) -> dict[str, object]:
    """sendMessage's fields (a reply's and a silent send's among them); Telegram
    builds its own link preview unless the draft said ``link_card = false``."""
    fields: dict[str, object] = {"chat_id": chat, "text": post.text, **_reply_fields(post)}
    if not post.link_previews:
        fields["link_preview_options"] = {"is_disabled": True}
    return fields


def bot_api_failure(status: int, body: dict, secrets: tuple[str, ...],
                    now: datetime) -> PlatformError:
    """The failure kind of a Bot API answer that is not ok (to raise)."""
    code = int(body.get("error_code") or status)
    text = redact(str(body.get("description") or f"HTTP {status}"), secrets)[:300]
    message = f"Telegram {code}: {text}"
    if code == 429:  # ResponseParameters.retry_after: seconds to wait
        wait = (body.get("parameters") or {}).get("retry_after")
        until = None
        if isinstance(wait, int | float) and wait >= 0:
            until = now + timedelta(seconds=wait)
        return RateLimited(message, until)
    if code in (401, 404):  # 404: Telegram's answer to a malformed token
        return AuthFailed(message)
    if code >= 500:
        return Transient(message)
    return Refused(message, code)
