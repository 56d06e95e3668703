"""Telegram channels through the Bot API: sendMessage, sendPhoto, sendMediaGroup, sendVideo.

- The bot token sits in the URL path (``/bot<token>/``): every message that
  could carry a URL is redacted (platforms/common/http.py), and nothing here logs URLs.
- The bot must be an administrator of the channel with the right to post;
  "chat not found" or "not enough rights" hold the account for a person.
- Telegram has no alt text: images go out without it (the editor says so).
  No language field either.
- A video goes with sendVideo (core.telegram.org/bots/api#sendvideo): multipart
  ``video`` streamed from disk, with ``width``, ``height``, ``duration`` and
  ``supports_streaming``; "Telegram clients support MPEG4 videos" and "bots can
  currently send video files of up to 50 MB". No subtitle files, no alt text. It
  is one request, so not resumable, and as for every Telegram post a request that
  may have gone out is left for a person (no idempotency key, no way to look).
- Telegram builds its own link preview; ``link_card = false`` turns it off
  (sendMessage's ``link_preview_options.is_disabled``).
- No idempotency key: after a crash the outcome is unknown for a person.
- The permalink is t.me/<channel>/<message_id> for a public channel, and
  t.me/c/<id>/<message_id> for a private one (-100… ids).
- A post of several messages (an album; a photo and a long text after it) is
  recorded by its first message (the album's, which holds the caption) or its text
  message, with every message's id in ``ref`` (space-separated), so that a
  retraction deletes all of them.
- Corrections: deleteMessage for each message ("a message can only be deleted if it
  was sent less than 48 hours ago", the Bot API's first limitation; a bot allowed
  to post in a channel deletes its own messages): a message already gone is done;
  Telegram's "message can't be deleted" (past the 48 hours) needs a person.
  editMessageText, or editMessageCaption for a photo or an album's caption.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from publisher.domain.accounts import Account
from publisher.domain.results import Engagement
from publisher.domain.textrules import count_text, utf16_length
from publisher.domain.video import MB, VideoLimits
from publisher.i18n import N_
from publisher.platforms.base import (
    Abilities,
    AuthFailed,
    Identity,
    MediaFile,
    NotFound,
    PlatformError,
    Post,
    Published,
    RateLimited,
    Rejected,
    TokenStatus,
    Transient,
    Unsupported,
)
from publisher.platforms.common.adapters import TokenAdapter
from publisher.platforms.common.http import json_object, redact, request
from publisher.platforms.common.media import image_type, media_problems
from publisher.platforms.common.progress import Progress, log_progress
from publisher.platforms.common.urls import digits, not_a_post, not_ours, split_address
from publisher.platforms.common.video import (
    FileSlice,
    MultipartBody,
    UploadProgress,
    probe,
    upload_deadline,
    video_mime,
    video_post_problems,
)

log = logging.getLogger("publisher.telegram")

if TYPE_CHECKING:
    from publisher.platforms.registry import Adapters

CAPTION_LIMIT = 1024
MAX_IMAGES = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
ALT_TEXT_SUPPORTED = False
WEB_HOSTS = ("t.me", "telegram.me")
VIDEO = VideoLimits(max_bytes=50 * MB, max_seconds=float("inf"),
                    video_codecs=frozenset({"h264", "hevc"}), subtitles=False)
# A public channel's username: 5 to 32 letters, digits and underscores.
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


# The Bot API has no method that reads a channel message's views or reactions.
NO_METRICS = N_("Telegram bots cannot read a message's views")


def make_adapter(account: Account, adapters: Adapters) -> TelegramAdapter:
    return TelegramAdapter.for_account(account, adapters, chat=account.handle,
                                       progress=adapters.progress)


@dataclass(repr=False)
class TelegramAdapter(TokenAdapter):
    chat: str | None = None
    platform: str = "telegram"
    # Who hears how far a video's upload got.
    progress: Progress = log_progress
    # Both; the Bot API deletes only messages younger than 48 hours. A bot cannot read
    # its channel: locate reads the id from the address only.
    abilities = Abilities(delete=True, edit=True, confirms=False, metrics=False,
                          why_no_metrics=NO_METRICS, video=VIDEO)

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
        if any(media.is_video for media in post.media):
            return problems + video_post_problems("Telegram", post.media, VIDEO)
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
        elif post.media[0].is_video and utf16_length(post.text) <= CAPTION_LIMIT:
            message = self._video(post.media[0], {"chat_id": chat, "caption": post.text,
                                                  **_form(_reply_fields(post))})
            return Published(str(message["message_id"]), self._permalink(message))
        elif len(post.media) == 1 and utf16_length(post.text) <= CAPTION_LIMIT:
            media = post.media[0]
            with open(media.path, "rb") as handle:
                result = self._call(
                    "sendPhoto", data={"chat_id": chat, "caption": post.text,
                                       **_form(_reply_fields(post))},
                    files={"photo": (media.path.name, handle, image_type(media.path))},
                )
        elif len(post.media) == 1:
            # A long text cannot be a caption: the photo (or video) first, then the text.
            return self._media_then_text(post, chat)
        else:
            result = self._album(post, chat)
        message = result["result"]
        if isinstance(message, list):  # an album answers with all its messages
            return Published(str(message[0]["message_id"]), self._permalink(message[0]),
                             _ids_ref(message))
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

    def _media_then_text(self, post: Post, chat: str) -> Published:
        media = post.media[0]
        fields = {"chat_id": chat, **_form(_reply_fields(post))}
        if media.is_video:
            photo = self._video(media, fields)
        else:
            with open(media.path, "rb") as handle:
                photo = self._call("sendPhoto", data=fields,
                                   files={"photo": (media.path.name, handle,
                                                    image_type(media.path))})["result"]
        message = self._call("sendMessage", json=_message(post, chat))["result"]
        return Published(str(message["message_id"]), self._permalink(message),
                         _ids_ref([photo, message]))

    def _video(self, media: MediaFile, fields: dict[str, str]) -> dict:
        """sendVideo: the file streamed from disk with its size and length; the sent
        message."""
        info = probe(media.path)
        fields = {**fields, "width": str(info.width), "height": str(info.height),
                  "duration": str(round(info.duration)), "supports_streaming": "true"}
        with upload_deadline(self.session, info.size), FileSlice(media.path) as content:
            body = MultipartBody(fields, "video", media.path.name, video_mime(info), content)
            message = self._call("sendVideo", data=body,
                                 headers={"Content-Type": body.content_type})["result"]
        self.progress(UploadProgress(str(self.account_id), media.path.name, info.size,
                                     info.size))
        return message

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

    # Correcting and retracting

    def delete(self, target: Published, post: Post) -> None:
        """deleteMessage (chat_id, message_id) for each of the post's messages; "message
        to delete not found" is done. Past the Bot API's 48 hours Telegram answers
        "message can't be deleted": a person deletes it in the app."""
        chat = self._chat()
        for message_id in message_ids(target):
            try:
                self._call("deleteMessage", json={"chat_id": chat, "message_id": message_id})
            except Refused as error:
                lowered = error.message.lower()
                if "message to delete not found" in lowered:
                    continue
                if "can't be deleted" in lowered or "can not be deleted" in lowered:
                    raise Unsupported(
                        f"{error.message}: a bot deletes only messages sent less than 48 "
                        f"hours ago; delete it by hand in Telegram "
                        f"({target.url or message_id})") from None
                raise

    def edit(self, target: Published, post: Post) -> Published:
        """editMessageText of a text message, editMessageCaption of a photo or an album
        (the caption is its first message's); "message is not modified" is done."""
        chat = self._chat()
        message_id = int(target.remote_id) if digits(target.remote_id) else 0
        if not message_id:
            raise Rejected(f"{target.remote_id!r} is not a Telegram message id")
        text_edit: dict[str, object] = {"chat_id": chat, "message_id": message_id,
                                        "text": post.text}
        if not post.link_previews:
            text_edit["link_preview_options"] = {"is_disabled": True}
        caption_edit: dict[str, object] = {"chat_id": chat, "message_id": message_id,
                                           "caption": post.text}
        # A photo sent before a long text is recorded by the text message.
        tries = [("editMessageCaption", caption_edit), ("editMessageText", text_edit)]
        if not post.media or (len(message_ids(target)) == 2 and len(post.media) == 1):
            tries.reverse()
        for method, fields in tries:
            try:
                self._call(method, json=fields)
                return target
            except Refused as error:
                lowered = error.message.lower()
                if "message is not modified" in lowered:
                    return target
                if "there is no caption" in lowered or "there is no text" in lowered:
                    continue  # the message is of the other kind
                raise
        raise Rejected(f"Telegram message {message_id} has neither text nor caption")

    def engagement(self, target: Published, post: Post) -> Engagement:
        """A bot cannot read a message's views or reactions: nothing to count."""
        raise Unsupported(NO_METRICS)

    def locate(self, url: str) -> Published:
        """The message at t.me/<channel>/<id> or t.me/c/<internal id>/<id>, when the
        channel is this account's. A bot cannot read a channel's messages: that the
        message exists is not checked."""
        channel, message_id = message_of_url(url)
        if not self._is_our_channel(channel):
            raise not_ours(url, f"it is in {channel}, the account posts to {self.chat}")
        link = (f"https://t.me/c/{channel.removeprefix('-100')}/{message_id}"
                if channel.startswith("-100") else f"https://t.me/{channel}/{message_id}")
        return Published(message_id, link)

    def _is_our_channel(self, channel: str) -> bool:
        """The channel named by an address (a username, or -100… for t.me/c/) is this
        account's: by its handle, else as getChat tells (a numeric handle)."""
        ours = self._chat().lstrip("@").lower()
        if channel.lower() == ours:
            return True
        chat = self._call("getChat", json={"chat_id": self._chat()})["result"]
        return channel.lower() in {str(chat.get("username") or "").lower(),
                                   str(chat.get("id") or "")}

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


def _ids_ref(messages: list[dict]) -> str:
    """Every message id of a post, for ``Published.ref``."""
    return " ".join(str(message["message_id"]) for message in messages)


def message_ids(target: Published) -> list[int]:
    """The ids of all of a post's messages (``ref``), else of its one message."""
    ids = [part for part in (target.ref or target.remote_id).split() if digits(part)]
    if not ids:
        raise Rejected(f"{target.remote_id!r} is not a Telegram message id")
    return [int(part) for part in ids]


def message_of_url(url: str) -> tuple[str, str]:
    """(channel, message id) of t.me/<channel>/<id>, t.me/s/<channel>/<id> or
    t.me/c/<internal id>/<id> (the channel as -100<internal id>)."""
    address = split_address(url, "Telegram")
    segments = address.segments
    if segments[:1] == ("s",):
        segments = segments[1:]
    if address.host in WEB_HOSTS and len(segments) == 3 and segments[0] == "c" \
            and digits(segments[1]) and digits(segments[2]):
        return f"-100{segments[1]}", segments[2]
    if address.host in WEB_HOSTS and len(segments) == 2 and _USERNAME.fullmatch(segments[0]) \
            and digits(segments[1]):
        return segments[0], segments[1]
    raise not_a_post(url, "Telegram")


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
