"""The Telegram Bot API as its reference describes it: /bot<token>/<method>.

Answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters": {"retry_after"}}``. ``reply_parameters`` (a JSON
object with ``message_id``) makes a reply, 400 "message to be replied not found"
when there is no such message; ``disable_notification`` sends silently;
pinChatMessage pins a message of the channel.

deleteMessage removes a message: "message to delete not found" when it is not
there, "message can't be deleted" once it is 48 hours old (the fake's ``now``, Unix
seconds, against the message's ``date``). editMessageText edits a text message and
editMessageCaption a photo's caption; the wrong one is "there is no text (caption)
in the message to edit", the same content "message is not modified", a missing
message "message to edit not found".
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
        self.now = 1796000000  # the fake's clock (Unix seconds): message dates, 48 hours
        self.next_id = 1
        self.videos: dict[int, bytes] = {}  # message id -> the video's bytes

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
        if method == "sendVideo":
            return self._video(request, fields, extra)
        if method == "deleteMessage":
            return self._delete(int(fields.get("message_id", "0")))
        if method in ("editMessageText", "editMessageCaption"):
            return self._edit(method, fields)
        if method == "sendMediaGroup":
            group = json.loads(fields.get("media", "[]"))
            results = [self._message(caption=item.get("caption"), photo=1) for item in group]
            return 200, {"ok": True, "result": results}, {}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, {}

    def _video(self, request: Request, fields: dict[str, str], extra: dict):
        video = multipart_bytes(request.body, request.headers.get("content-type", ""), "video")
        if not video:
            return self._refused("there is no video in the request")
        if len(video) > 50 * 1024 * 1024:
            return 413, {"ok": False, "error_code": 413,
                         "description": "Request Entity Too Large"}, {}
        message = self._message(caption=fields.get("caption") or None, video={
            "file_id": f"BAACAgIAAx{self.next_id}", "file_unique_id": f"AgAD{self.next_id}",
            "width": int(fields.get("width", "0")), "height": int(fields.get("height", "0")),
            "duration": int(fields.get("duration", "0")), "mime_type": "video/mp4",
            "file_size": len(video)}, supports_streaming=fields.get("supports_streaming"),
            **extra)
        self.videos[message["message_id"]] = video
        return 200, {"ok": True, "result": message}, {}

    def message(self, message_id: int) -> dict | None:
        return next((m for m in self.messages if m["message_id"] == message_id), None)

    def _refused(self, description: str):
        return 400, {"ok": False, "error_code": 400,
                     "description": f"Bad Request: {description}"}, {}

    def _delete(self, message_id: int):
        message = self.message(message_id)
        if message is None:
            return self._refused("message to delete not found")
        if self.now - message["date"] >= 48 * 3600:
            return self._refused("message can't be deleted")
        self.messages.remove(message)
        return 200, {"ok": True, "result": True}, {}

    def _edit(self, method: str, fields: dict[str, str]):
        message = self.message(int(fields.get("message_id", "0")))
        if message is None:
            return self._refused("message to edit not found")
        key = "text" if method == "editMessageText" else "caption"
        if key == "text" and "text" not in message:
            return self._refused("there is no text in the message to edit")
        if key == "caption" and "photo" not in message and "video" not in message:
            return self._refused("there is no caption in the message to edit")
        if message.get(key) == fields.get(key):
            return self._refused("message is not modified: specified new message content "
                                 "and reply markup are exactly the same as a current content "
                                 "and reply markup of the message")
        message[key] = fields.get(key)
        message["edit_date"] = self.now
        return 200, {"ok": True, "result": message}, {}

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
        message = {"message_id": self.next_id, "chat": self._chat(),
                   "date": self.now, **{k: v for k, v in content.items() if v is not None}}
        self.next_id += 1
        self.messages.append(message)
        return message
