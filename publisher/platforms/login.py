"""The platforms' own requests during ``accounts login`` (moving to each platform's folder).

The shared pieces (PKCE, the listener, the generic client) are in
:mod:`publisher.platforms.common.login`.
"""

from __future__ import annotations

from publisher.platforms.base import Rejected
from publisher.platforms.common import login as common

# Public addresses (a custom api_base moves them under itself, same paths).
META_GRAPH_VERSION = "v23.0"
FACEBOOK_DIALOG_URL = f"https://www.facebook.com/{META_GRAPH_VERSION}/dialog/oauth"
FACEBOOK_SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts"
INSTAGRAM_SCOPES = ("pages_show_list,pages_read_engagement,instagram_basic,"
                    "instagram_content_publish,business_management")
INSTAGRAM_LOGIN_HOST = "graph.instagram.com"
INSTAGRAM_AUTHORIZE_URL = "https://www.instagram.com/oauth/authorize"
INSTAGRAM_TOKEN_URL = "https://api.instagram.com/oauth/access_token"
INSTAGRAM_LOGIN_SCOPES = "instagram_business_basic,instagram_business_content_publish"
THREADS_AUTHORIZE_URL = "https://threads.net/oauth/authorize"
THREADS_SCOPES = "threads_basic,threads_content_publish"


class LoginClient(common.LoginClient):
    """The generic client with each platform's login requests."""

    # Meta: Facebook pages and the Instagram accounts linked to them

    def facebook_code_token(self, graph: str, app_id: str, app_secret: str,
                            redirect_uri: str, code: str) -> dict:
        """The code of the Login dialog for a (short-lived) user token."""
        return self.call("GET", f"{graph}/{META_GRAPH_VERSION}/oauth/access_token",
                          "exchanging the code", (app_secret, code),
                          params={"client_id": app_id, "redirect_uri": redirect_uri,
                                  "client_secret": app_secret, "code": code})

    def facebook_long_lived(self, graph: str, app_id: str, app_secret: str,
                            user_token: str) -> dict:
        """grant_type=fb_exchange_token: a long-lived (about 60 days) user token."""
        answer = self.call("GET", f"{graph}/{META_GRAPH_VERSION}/oauth/access_token",
                            "exchanging for a long-lived token", (app_secret, user_token),
                            params={"grant_type": "fb_exchange_token", "client_id": app_id,
                                    "client_secret": app_secret,
                                    "fb_exchange_token": user_token})
        if not answer.get("access_token"):
            raise Rejected("exchanging for a long-lived token: no access_token in the answer")
        return answer

    _PAGE_FIELDS = "id,name,access_token,instagram_business_account{id,username}"

    def facebook_pages(self, graph: str, user_token: str) -> list[dict]:
        """GET /me/accounts: the pages the person manages, each with its page token."""
        answer = self.call("GET", f"{graph}/{META_GRAPH_VERSION}/me/accounts",
                            "listing your pages", (user_token,),
                            headers={"Authorization": f"Bearer {user_token}"},
                            params={"fields": self._PAGE_FIELDS, "limit": "100"})
        pages = answer.get("data") or []
        return [page for page in pages if isinstance(page, dict) and page.get("id")]

    def facebook_page(self, graph: str, user_token: str, page_id: str) -> dict:
        """GET /{page-id}?fields=access_token,...: one page and its page token."""
        return self.call("GET", f"{graph}/{META_GRAPH_VERSION}/{page_id}",
                          f"reading page {page_id}", (user_token,),
                          headers={"Authorization": f"Bearer {user_token}"},
                          params={"fields": self._PAGE_FIELDS})

    # Threads, and Instagram with Instagram Login

    def meta_code_token(self, token_url: str, app_id: str, app_secret: str,
                        redirect_uri: str, code: str) -> dict:
        """POST /oauth/access_token: the code for a short-lived token (and the user id)."""
        answer = self.call("POST", token_url, "exchanging the code", (app_secret, code),
                            data={"client_id": app_id, "client_secret": app_secret,
                                  "grant_type": "authorization_code",
                                  "redirect_uri": redirect_uri, "code": code})
        if isinstance(answer.get("data"), list) and answer["data"]:
            answer = answer["data"][0]  # Instagram Login's newer shape
        if not isinstance(answer, dict) or not answer.get("access_token"):
            raise Rejected("exchanging the code: no access_token in the answer")
        return answer

    def meta_long_lived(self, base: str, grant: str, app_secret: str, short_token: str) -> dict:
        """GET /access_token?grant_type=th_exchange_token|ig_exchange_token: 60 days."""
        answer = self.call("GET", f"{base}/access_token", "exchanging for a long-lived token",
                            (app_secret, short_token),
                            params={"grant_type": grant, "client_secret": app_secret,
                                    "access_token": short_token})
        if not answer.get("access_token"):
            raise Rejected("exchanging for a long-lived token: no access_token in the answer")
        return answer

    def meta_me(self, base: str, version: str, token: str, fields: str) -> dict:
        return self.call("GET", f"{base}/{version}/me", "checking the new token", (token,),
                          headers={"Authorization": f"Bearer {token}"},
                          params={"fields": fields})
