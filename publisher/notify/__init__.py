"""The senders of notifications to people: e-mail over SMTP and a webhook's JSON POST.

A layer of its own between the services (which decide what to tell, and record it)
and the platforms (social networks), whose HTTP session it reuses for the webhook:
deadlines on every request, TLS checks, secrets kept out of messages. Each sender
delivers one message or raises :class:`publisher.domain.notifications.SendFailed`.
"""
