"""A corpus of stored-XSS payloads and a check that rendered HTML keeps them inert.

Use it for every field a member can write: put each payload in, render the page, and call
`assert_inert(html)` on the response (or the fragment). Text that merely *shows* a payload,
escaped, is fine; an element or attribute that would run it is not.
"""

from html.parser import HTMLParser

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<svg onload="alert(1)"><circle/></svg>',
    "<a href='javascript:alert(1)'>x</a>",
    '"><iframe src="https://evil.example"></iframe>',
    "<div style=\"background:url('javascript:alert(1)')\">x",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.org" onclick="alert(1)">ok</a>',
    "</textarea><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '![img](x" onerror="alert(1))',
]

DANGEROUS_ELEMENTS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "form",
    "meta",
    "link",
    "frame",
    "frameset",
    "applet",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_ELEMENTS and not self._is_site_asset(tag, attrs):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            if name == "style" and value and "javascript:" in value.lower():
                self.problems.append(f"script in style on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = value.strip().lower().replace("\t", "").replace("\n", "")
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    @staticmethod
    def _is_site_asset(tag, attrs):
        """The site's own <link>, <meta>, <form>, same-origin <script src> and pictures
        (<svg class="chart">, kit/charts.py) are expected."""
        attributes = dict(attrs)
        if tag in {"meta", "link", "form"}:
            return True
        if tag == "svg":
            return "chart" in (attributes.get("class") or "").split()
        return tag == "script" and (attributes.get("src") or "").startswith("/static/")


def inert_problems(html: str | bytes) -> list[str]:
    if isinstance(html, bytes):
        html = html.decode()
    collector = _Collector()
    collector.feed(html)
    return collector.problems


def assert_inert(html: str | bytes) -> None:
    problems = inert_problems(html)
    assert problems == [], problems
