"""Reading an email as a person wrote it: the new text only, and whether a machine sent it.

The new text: the plain-text part (or the HTML-only part turned into text with inscriptis),
without quoted lines, "On … wrote:" or Outlook's "From: … Sent: …" blocks and what follows
them, signatures, "Sent from my iPhone" and disclaimers — found by mail-parser-reply, a
maintained library that knows the common clients' reply headers. Attachments are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, MIMEPart
from email.utils import parseaddr

from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from mailparser_reply.parser import EmailMessage as ParsedReply

# the clients' reply headers are recognised in these languages (English is always in)
REPLY_LANGUAGES = ["en"]
# a "signature" longer than this is more likely text the member wrote after a line starting
# "Thanks," — keep it rather than lose what they wrote
SIGNATURE_MAX_LINES = 6
QUOTED_LINE = re.compile(r"^\s*>")
HTML_TO_TEXT = ParserConfig(display_links=False, display_images=False)

# --- machines, not people (RFC 3834 and what real auto-responders send) -----------------------
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOMATIC_SUBJECTS = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|out of (the )?office|autoreply|auto:|"
    r"undeliverable|delivery status notification|mail delivery (failed|failure))",
    re.IGNORECASE,
)
SYSTEM_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply)@", re.IGNORECASE)


@dataclass
class ReplyText:
    text: str
    ignored_attachments: list[str] = field(default_factory=list)
    from_html: bool = False


def new_text(message: EmailMessage) -> ReplyText:
    """What the sender wrote in this message, without what they quoted or signed."""
    plain = "\n\n".join(_content(part) for part in _plain_parts(message))
    from_html = False
    if not plain.strip():
        html = _body(message, "html")
        if html:
            plain = html_to_text(html)
            from_html = True
    return ReplyText(
        text=reply_only(plain or ""),
        ignored_attachments=attachment_names(message),
        from_html=from_html,
    )


def reply_only(text: str) -> str:
    """The newest reply in a plain-text email body: quoted lines go first (so bottom-posted and
    inline replies keep only their own lines), then the library cuts at the first reply header
    and drops signatures and disclaimers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line for line in text.split("\n") if not QUOTED_LINE.match(line)).strip()
    if not text:
        return ""
    parsed = ParsedReply(text=text, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read()
    for reply in parsed.replies:
        body = reply.body
        if reply.signatures and len(reply.signatures.splitlines()) > SIGNATURE_MAX_LINES:
            body = reply.full_body
        if body.strip():
            return _tidy(body)
    return ""


def html_to_text(html: str) -> str:
    return get_text(html, HTML_TO_TEXT)


def attachment_names(message: EmailMessage) -> list[str]:
    """Every attached file, and every inline part that is not text (pasted images): none of
    them is posted, and the sender is told so."""
    names = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if (
            disposition == "attachment"
            or (disposition == "inline" and part.get_content_maintype() != "text")
            or (disposition is None and part.get_content_maintype() not in ("text", "multipart"))
        ):
            names.append(part.get_filename() or part.get_content_type())
    return names


def automatic_reason(message: EmailMessage, envelope_sender: str) -> str:
    """Why this message looks sent by a machine (an auto-reply, a bounce, a list), or "".
    Such messages are never posted and never answered: answering them is how loops start.
    `envelope_sender` is "<>" for the null sender, "" when unknown."""
    auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for header in ("Precedence", "X-Precedence"):
        precedence = (message.get(header) or "").strip()
        if precedence.lower() in AUTOMATIC_PRECEDENCE:
            return f"{header}: {precedence}"
    if envelope_sender == "<>" or (message.get("Return-Path") or "").strip() == "<>":
        return "empty Return-Path (a bounce)"
    for header in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if message.get(header) is not None:
            return header
    suppress = (message.get("X-Auto-Response-Suppress") or "").lower()
    if "oof" in suppress or "autoreply" in suppress:
        return f"X-Auto-Response-Suppress: {suppress}"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    if AUTOMATIC_SUBJECTS.match(str(message.get("Subject") or "")):
        return "an automatic reply's subject"
    sender = parseaddr(str(message.get("From") or ""))[1]
    if SYSTEM_SENDERS.match(sender) or SYSTEM_SENDERS.match(envelope_sender):
        return "a system sender"
    return ""


def _plain_parts(part: MIMEPart) -> list[MIMEPart]:
    """The text/plain parts a person reads in order: of alternatives, the plain one; of mixed
    parts, every text between pasted images (Apple Mail splits the text around them)."""
    if part.get_content_disposition() == "attachment":
        return []
    if not part.is_multipart():
        return [part] if part.get_content_type() == "text/plain" else []
    if part.get_content_type() == "multipart/alternative":
        for alternative in part.iter_parts():
            if found := _plain_parts(alternative):
                return found
        return []
    return [found for child in part.iter_parts() for found in _plain_parts(child)]


def _body(message: EmailMessage, subtype: str) -> str | None:
    try:
        part = message.get_body(preferencelist=(subtype,))
    except (KeyError, LookupError):
        return None
    if part is None or part.is_attachment():
        return None
    return _content(part)


def _content(part: MIMEPart) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        # an unknown or lying charset: keep what can be read
        payload = part.get_payload(decode=True)  # bytes, or None for no body
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _tidy(text: str) -> str:
    # no more than one blank line in a row, none at either end
    return re.sub(r"\n{3,}", "\n\n", text).strip()
