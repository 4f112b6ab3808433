"""Which addresses take mail: reply+<token>@REPLY_DOMAIN and share@REPLY_DOMAIN."""

from django.conf import settings

from notifications.email_threads import reply_token_in

SHARE_LOCAL_PART = "share"


def share_address() -> str:
    return f"{SHARE_LOCAL_PART}@{settings.REPLY_DOMAIN}"


def recipient_accepted(address: str) -> bool:
    """Only reply+<token>@REPLY_DOMAIN and share@REPLY_DOMAIN take mail (the token is checked
    when the message is handled, so a forged one still gets its explanation)."""
    if not settings.REPLY_DOMAIN:
        return False
    address = (address or "").strip().strip("<>")
    return address.lower() == share_address() or reply_token_in(address) is not None
