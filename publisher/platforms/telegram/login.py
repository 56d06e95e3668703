"""Telegram's ``accounts login``: a bot token from @BotFather, and the bot's rights.

The bot must be an administrator of the channel allowed to post: the login
asks the Bot API (getMe, getChatMember) before anything is stored.
"""

from __future__ import annotations

import re

from publisher.domain.errors import UserError
from publisher.i18n import _
from publisher.platforms.base import Rejected
from publisher.platforms.common.http import raise_for_status, request
from publisher.platforms.common.login import Credentials, LoginClient, LoginSteps
from publisher.platforms.telegram.adapter import bot_api_failure

_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


def log_in(steps: LoginSteps) -> Credentials:
    """A bot token from @BotFather, checked: the bot must be an admin allowed to post."""
    chat = steps.account.handle or steps.required(
        _("The channel (@name, or its numeric id such as -1001234567890): "), _("channel"))
    steps.prompter.say(_(
        "Get a bot token from @BotFather in Telegram: send /newbot, choose a name and a "
        "user name ending in 'bot'; BotFather answers with the token (123456:ABC...)."))
    token = steps.required_secret(_("Bot token (not shown): "), _("bot token"))
    if not _BOT_TOKEN.match(token):
        raise UserError(_("that is not a bot token (it looks like 123456789:AA...); "
                          "nothing was stored"))
    bot = bot_call(steps.client, steps.base, token, "getMe")
    name = str(bot.get("username") or "")
    how = _("add the bot as an administrator of {chat}: in the channel, Administrators -> "
            "Add Admin -> search @{bot} -> allow 'Post messages'; then log in again"
            ).format(chat=chat, bot=name or "your_bot")
    try:
        member = bot_call(steps.client, steps.base, token, "getChatMember", chat_id=chat,
                          user_id=bot.get("id"))
    except Rejected as error:
        raise UserError(_("the bot cannot see {chat} ({error}); {how}")
                        .format(chat=chat, error=error.message, how=how)) from None
    status = str(member.get("status") or "")
    if status not in ("administrator", "creator"):
        raise UserError(_("@{bot} is not an administrator of {chat} (it is '{status}'); "
                          "nothing was stored; {how}")
                        .format(bot=name, chat=chat, status=status or "?", how=how))
    if member.get("can_post_messages") is False:
        raise UserError(_("@{bot} may not post in {chat}; nothing was stored; {how}")
                        .format(bot=name, chat=chat, how=how))
    return Credentials(token, _("@{bot} in {chat}").format(bot=name, chat=chat),
                       handle=chat)


def bot_call(client: LoginClient, base: str, token: str, method: str,
             **fields: object) -> dict:
    """One Bot API call; the answer's ``result``, or the API's description as a failure."""
    response = request(client.session, "POST", f"{base}/bot{token}/{method}",
                       secrets=(token,), json=fields or None)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise_for_status(response, "", now=client.now())
        raise Rejected(f"Telegram {method}: the answer is not JSON")
    if body.get("ok"):
        return body.get("result") or {}
    raise bot_api_failure(response.status_code, body, (token,), client.now())
