"""`notify()` is the one way to tell a member something; it lives in the notifications app."""

from notifications.services import notify

__all__ = ["notify"]
