"""The Telegram Bot API as its reference describes it: /bot<token>/<method>.

Answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters": {"retry_after"}}``. ``reply_parameters`` (a JSON
object with ``message_id``) makes a reply, 400 "message to be replied not found"
when there is no such message; ``disable_notification`` sends silently;
pinChatMessage pins a message of the channel.
"""

from __future__ import annotations

import json

from fakes.base import FakeServer, Request, form_fields, multipart_bytes


class FakeTelegram(FakeServer):
    def __init__(self, token: str = "123456:ABC-bot-token", channel: str = "@embassy_news"):
        super().__init__()
        self.token = token
        self.channel = channel
        self.messages: list[dict] = []
        self.pinned: list[int] = []

    def handle(self, request: Request):
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, {}
        method = request.path.removeprefix(prefix)
        fields = form_fields(request)
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 123456, "is_bot": True,
                                                "username": "embassy_bot"}}, {}
        if fields.get("chat_id") != self.channel:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: chat not found"}, {}
        if method == "getChat":
            return 200, {"ok": True, "result": self._chat()}, {}
        if method == "pinChatMessage":
            message_id = int(fields.get("message_id", "0"))
            if not any(m["message_id"] == message_id for m in self.messages):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message to pin not found"}, {}
            self.pinned.append(message_id)
            return 200, {"ok": True, "result": True}, {}
        replied = self._replied(fields)
        if replied is False:
            return 400, {"ok": False, "error_code": 400,
                         "description": "Bad Request: message to be replied not found"}, {}
        extra = {"reply_to_message": replied, "silent": fields.get("disable_notification")
                 == "true"}
        if method == "sendMessage":
            if not fields.get("text"):
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message text is empty"}, {}
            options = json.loads(fields.get("link_preview_options") or "{}")
            return 200, {"ok": True, "result": self._message(
                text=fields["text"],
                link_preview_disabled=True if options.get("is_disabled") else None, **extra)}, {}
        if method == "sendPhoto":
            photo = multipart_bytes(request.body, request.headers.get("content-type", ""),
                                    "photo")
            if not photo:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: there is no photo in the request"}, {}
            return 200, {"ok": True, "result": self._message(
                caption=fields.get("caption"), photo=len(photo), **extra)}, {}
        if method == "sendMediaGroup":
            group = json.loads(fields.get("media", "[]"))
            results = [self._message(caption=item.get("caption"), photo=1) for item in group]
            return 200, {"ok": True, "result": results}, {}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}

    def _replied(self, fields: dict[str, str]) -> int | bool | None:
        """The message a request replies to: its id, None for no reply, False when the
        message does not exist."""
        if "reply_parameters" not in fields:
            return None
        wanted = json.loads(fields["reply_parameters"]).get("message_id")
        return wanted if any(m["message_id"] == wanted for m in self.messages) else False

    def _chat(self) -> dict:
        return {"id": -1001234567890, "title": "Embassy news", "type": "channel",
                "username": self.channel.lstrip("@")}

    def _message(self, **content: object) -> dict:
        message = {"message_id": len(self.messages) + 1, "chat": self._chat(),
                   "date": 1796000000, **{k: v for k, v in content.items() if v is not None}}
        self.messages.append(message)
        return message
