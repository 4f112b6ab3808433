# ruff: noqa: E501, W291 -- the emails keep the long lines and the "-- " signature separator clients send
"""Replies as real mail clients send them (headers trimmed to what matters), each with exactly
the text its sender wrote. The quoted part is always one of our own comment emails.

Written after messages sent by each client to a test mailbox: their reply headers, quoting
styles, signature separators and MIME layout are kept as the clients produce them.
"""

from dataclasses import dataclass

ADDRESS = "reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org"


@dataclass(frozen=True)
class RealReply:
    client: str
    raw: str
    expected: str


def _headers(extra: str = "") -> str:
    return (
        "From: Maria Lopez <maria@libraries.example>\n"
        f"To: Librarian Commons <{ADDRESS}>\n"
        "Subject: Re: [Librarian Commons] Reading buddies for reluctant readers\n"
        "Date: Tue, 3 Mar 2026 10:02:11 -0500\n"
        "Message-ID: <CAB7x1@mail.example>\n"
        "In-Reply-To: <story-1.comment-9@reply.example.org>\n"
        "MIME-Version: 1.0\n" + extra
    )


GMAIL_TOP_POSTED = RealReply(
    "Gmail (web), top-posted, multipart/alternative",
    _headers('Content-Type: multipart/alternative; boundary="000000000000a1b2c3"\n')
    + """
--000000000000a1b2c3
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

We tried this in March and it worked =E2=80=94 the older students loved it.

Happy to share our sign-up sheet.

On Tue, Mar 3, 2026 at 9:14=E2=80=AFAM Librarian Commons <
reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org> wrote:

> New comment on =E2=80=9CReading buddies for reluctant readers=E2=80=9D
>
> Hello Maria,
>
> Ana Ruiz commented on your story:
>
> Did you pair them by grade?
>

--000000000000a1b2c3
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">We tried this in March and it worked =E2=80=94 the older st=
udents loved it.<div><br></div><div>Happy to share our sign-up sheet.</div></=
div><br><div class=3D"gmail_quote"><div dir=3D"ltr" class=3D"gmail_attr">On T=
ue, Mar 3, 2026 at 9:14=E2=80=AFAM Librarian Commons &lt;<a href=3D"mailto:re=
ply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org">reply+s1.1.a.abcdefghij=
klmnopqrstuvwx@reply.example.org</a>&gt; wrote:<br></div><blockquote class=3D"=
gmail_quote">New comment on =E2=80=9CReading buddies=E2=80=9D<br>Did you pair=
 them by grade?</blockquote></div>

--000000000000a1b2c3--
""",
    "We tried this in March and it worked — the older students loved it.\n\n"
    "Happy to share our sign-up sheet.",
)

GMAIL_HTML_ONLY = RealReply(
    "Gmail, HTML only (plain text switched off by a mail filter)",
    _headers('Content-Type: text/html; charset="UTF-8"\n')
    + """
<div dir="ltr"><div>Yes: <b>by grade</b>, and we mixed classes every term.</div><div><br></div><div>Maria</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Mar 3, 2026 at 9:14 AM Librarian Commons &lt;<a href="mailto:reply@x">reply@x</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Did you pair them by grade?<br></blockquote></div>
""",
    "Yes: by grade, and we mixed classes every term.\n\nMaria",
)

OUTLOOK_DESKTOP = RealReply(
    "Outlook for Windows, top-posted with a signature block",
    _headers('Content-Type: text/plain; charset="us-ascii"\n')
    + """
Not by grade - by reading level. It mattered more than age.

Best regards,
Maria Lopez
Head Librarian | Oak Park Middle School
(555) 010-4477

________________________________
From: Librarian Commons <noreply@commons.example.org>
Sent: Tuesday, March 3, 2026 9:14 AM
To: Maria Lopez <maria@libraries.example>
Subject: [Librarian Commons] Reading buddies for reluctant readers

New comment on "Reading buddies for reluctant readers"

Ana Ruiz commented on your story:

Did you pair them by grade?
""",
    "Not by grade - by reading level. It mattered more than age.",
)

OUTLOOK_WEB_HTML_ONLY = RealReply(
    "Outlook on the web, HTML only",
    _headers('Content-Type: text/html; charset="iso-8859-1"\n')
    + """
<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>
<body><div style="font-family: Aptos, Arial, sans-serif; font-size: 12pt;">We used the
public library's volunteer list for the older buddies.</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"><b>From:</b>
Librarian Commons &lt;noreply@commons.example.org&gt;<br><b>Sent:</b> Tuesday, March 3, 2026 9:14 AM<br>
<b>To:</b> Maria Lopez &lt;maria@libraries.example&gt;<br><b>Subject:</b> [Librarian Commons] Reading buddies</font>
<div>&nbsp;</div></div><div>Did you pair them by grade?</div></body></html>
""",
    "We used the public library's volunteer list for the older buddies.",
)

APPLE_MAIL_IPHONE = RealReply(
    "Apple Mail on iPhone, top-posted",
    _headers("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n")
    + """
Count me in for the spring pilot!

Sent from my iPhone

> On Mar 3, 2026, at 09:14, Librarian Commons <reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org> wrote:
>
> Ana Ruiz commented on your story:
>
> Did you pair them by grade?
""",
    "Count me in for the spring pilot!",
)

APPLE_MAIL_MAC_WITH_ATTACHMENT = RealReply(
    "Apple Mail on a Mac, a photo pasted between two paragraphs",
    _headers('Content-Type: multipart/mixed; boundary="Apple-Mail=_A1"\n')
    + """
--Apple-Mail=_A1
Content-Transfer-Encoding: 7bit
Content-Type: text/plain; charset=us-ascii

Here is our reading corner.

--Apple-Mail=_A1
Content-Disposition: inline; filename=corner.jpg
Content-Type: image/jpeg; name="corner.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U
--Apple-Mail=_A1
Content-Transfer-Encoding: 7bit
Content-Type: text/plain; charset=us-ascii

We built it from two old shelves last summer.

Kind regards,
Maria

> On 3 Mar 2026, at 09:14, Librarian Commons <reply@reply.example.org> wrote:
>
> Did you pair them by grade?

--Apple-Mail=_A1--
""",
    "Here is our reading corner.\n\nWe built it from two old shelves last summer.",
)

THUNDERBIRD_BOTTOM_POSTED = RealReply(
    "Thunderbird, bottom-posted, with a standard '-- ' signature",
    _headers("Content-Type: text/plain; charset=UTF-8; format=flowed\n")
    + """
On 03/03/2026 09:14, Librarian Commons wrote:
> New comment on "Reading buddies for reluctant readers"
>
> Did you pair them by grade?

By reading level. We re-paired them after the first month.

Second-graders read to the kindergarten class on Fridays.

-- 
Tom Baker
Oak Park Library, Illinois
""",
    "By reading level. We re-paired them after the first month.\n\n"
    "Second-graders read to the kindergarten class on Fridays.",
)

THUNDERBIRD_INLINE = RealReply(
    "Thunderbird, answers between the quoted lines",
    _headers("Content-Type: text/plain; charset=UTF-8; format=flowed\n")
    + """
On 03/03/2026 09:14, Librarian Commons wrote:
> Did you pair them by grade?

No, by reading level.

> How long did each session last?

Twenty minutes, twice a week.
""",
    "No, by reading level.\n\nTwenty minutes, twice a week.",
)

SAMSUNG_EMAIL = RealReply(
    "Samsung Email on an Android phone",
    _headers("Content-Type: text/plain; charset=utf-8\n")
    + """
Great idea, we'll try it.

Sent from my Galaxy

-------- Original message --------
From: Librarian Commons <reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org>
Date: 3/3/26 9:14 AM (GMT-05:00)
To: maria@libraries.example
Subject: [Librarian Commons] Reading buddies for reluctant readers

Did you pair them by grade?
""",
    "Great idea, we'll try it.",
)

OUTLOOK_ANDROID = RealReply(
    "Outlook for Android",
    _headers("Content-Type: text/plain; charset=utf-8\n")
    + """
Yes! Let's talk at the March meetup.

Get Outlook for Android<https://aka.ms/AAb9ysg>
________________________________
From: Librarian Commons <reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org>
Sent: Tuesday, March 3, 2026 9:14:02 AM
To: Maria Lopez <maria@libraries.example>
Subject: [Librarian Commons] Reading buddies for reluctant readers

Did you pair them by grade?
""",
    "Yes! Let's talk at the March meetup.",
)

YAHOO_MAIL = RealReply(
    "Yahoo Mail, top-posted, with a Markdown list kept",
    _headers("Content-Type: text/plain; charset=UTF-8\n")
    + """
Three things that helped us:

- a fixed weekly slot
- books chosen by the younger child
- a sticker chart

On Tuesday, March 3, 2026, 09:14:05 AM EST, Librarian Commons <reply+s1.1.a.abcdefghijklmnopqrstuvwx@reply.example.org> wrote:

Did you pair them by grade?
""",
    "Three things that helped us:\n\n"
    "- a fixed weekly slot\n- books chosen by the younger child\n- a sticker chart",
)

THANKS_IN_THE_MIDDLE = RealReply(
    "A long reply with a line starting 'Thanks,' in the middle (not a signature)",
    _headers("Content-Type: text/plain; charset=UTF-8\n")
    + """
We paired them by reading level.

Thanks, Ana, for asking - it made me look at our numbers again.
Circulation among the older buddies went up by a third.
The younger ones asked for the same books again and again.
We started a shelf of "buddy picks" next to the desk.
Teachers noticed the younger ones reading aloud with more confidence.
Next year we want to add a summer session.
The public library offered to host it.

On Tue, Mar 3, 2026 at 9:14 AM Librarian Commons wrote:
> Did you pair them by grade?
""",
    "We paired them by reading level.\n\n"
    "Thanks, Ana, for asking - it made me look at our numbers again.\n"
    "Circulation among the older buddies went up by a third.\n"
    "The younger ones asked for the same books again and again.\n"
    'We started a shelf of "buddy picks" next to the desk.\n'
    "Teachers noticed the younger ones reading aloud with more confidence.\n"
    "Next year we want to add a summer session.\n"
    "The public library offered to host it.",
)

REAL_REPLIES = [
    GMAIL_TOP_POSTED,
    GMAIL_HTML_ONLY,
    OUTLOOK_DESKTOP,
    OUTLOOK_WEB_HTML_ONLY,
    APPLE_MAIL_IPHONE,
    APPLE_MAIL_MAC_WITH_ATTACHMENT,
    THUNDERBIRD_BOTTOM_POSTED,
    THUNDERBIRD_INLINE,
    SAMSUNG_EMAIL,
    OUTLOOK_ANDROID,
    YAHOO_MAIL,
    THANKS_IN_THE_MIDDLE,
]
