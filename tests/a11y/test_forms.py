"""Every form on the site is drawn one way: each field by the form renderer's partial,
templates/includes/_field.html, and each form's problems summed up above it by
includes/_form_errors.html — on every page a member and an organizer can reach (the URL
walker's site map) and on allauth's, as each page first shows and after each of its forms was
sent with bad values. A field is checked in the HTML (label or legend, help and errors tied by
aria-describedby, aria-invalid, one error class, a link from the summary) and by which template
drew it; a browser then checks that an invalid field is announced with its error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.core.cache import caches
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import BIO_MAX_LENGTH
from cooperatives.models import SUGGESTION_NOTE_MAX_LENGTH
from tests.factories import GroupFactory, StoryFactory, UserFactory
from tests.security.site_map import ROUTES, browser_sign_in, build_world

FIELD_PARTIAL = "includes/_field.html"
# the header's search box, not a Django form: what it sends is checked by the search page's
SEARCH_BOXES = {"site-search"}
NOT_CONTROLS = {"hidden", "submit", "button", "reset", "image"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
# allauth's pages (outside the URL walker's map), for a visitor and for a member
ALLAUTH_VISITOR = ["account_login", "account_signup", "account_reset_password"]
ALLAUTH_VISITOR += ["account_request_login_code"]
ALLAUTH_MEMBER = ["account_change_password", "account_email"]


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text: str = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def all_text(self) -> str:
        return " ".join([self.text, *(child.all_text() for child in self.children)]).strip()

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.attrs.items() if k in ("name", "id", "type", "class")}
        return f"<{self.tag} {shown}>"


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.node = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {key: value or "" for key, value in attrs}, self.node)
        self.node.children.append(element)
        if tag not in VOID:
            self.node = element

    def handle_endtag(self, tag):
        open_tags = [self.node, *self.node.ancestors()]
        if any(element.tag == tag for element in open_tags):
            while self.node.tag != tag:
                self.node = self.node.parent
            self.node = self.node.parent

    def handle_data(self, data):
        self.node.text += data


def parse(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def is_control(element: Element) -> bool:
    if element.tag == "input":
        return element.attrs.get("type", "text") not in NOT_CONTROLS
    return element.tag in ("select", "textarea")


def django_forms(root: Element) -> list[Element]:
    return [e for e in root.iter() if e.tag == "form" and not e.classes & SEARCH_BOXES]


@dataclass
class Checked:
    problems: list[str] = field(default_factory=list)
    fields: int = 0
    invalid: int = 0


def check_forms(html: str, drawn: set[str], where: str, checked: Checked) -> None:
    """Each form field of the page as includes/_field.html draws it, and each form with a
    problem summed up once above its fields; `drawn` holds the names of the fields the partial
    drew for this page."""
    root = parse(html)
    problems = checked.problems
    for element in root.iter():
        if element.classes & {"field-error", "form-errors"}:
            problems.append(f"{where}: an error class of the old partials: {element!r}")
    for form in django_forms(root):
        summaries = [e for e in form.iter() if "error-summary" in e.classes]
        links = {a.attrs.get("href", "") for s in summaries for a in s.iter() if a.tag == "a"}
        wrappers: dict[int, Element] = {}
        for control in filter(is_control, form.iter()):
            name = control.attrs.get("name", "")
            if not name:
                continue  # shown, not sent (the current address on "change email")
            wrapper = next(
                (a for a in control.ancestors() if a.tag == "div" and "field" in a.classes), None
            )
            if wrapper is None or name not in drawn:
                problems.append(f"{where}: {control!r} is not drawn by {FIELD_PARTIAL}")
                continue
            if id(wrapper) in wrappers:
                continue  # one more choice of a group already checked
            wrappers[id(wrapper)] = wrapper
            checked.fields += 1
            problems += [f"{where}: {message}" for message in field_problems(wrapper, control)]
            if "field-invalid" in wrapper.classes:
                checked.invalid += 1
                ids = {f"#{e.attrs['id']}" for e in wrapper.iter() if is_control(e)}
                if not ids & links:
                    problems.append(f"{where}: no link from the summary to {control!r}")
        invalid = any("field-invalid" in w.classes for w in wrappers.values())
        if (invalid and len(summaries) != 1) or len(summaries) > 1:
            problems.append(f"{where}: {len(summaries)} error summaries in a form with problems")
        for summary in summaries:
            if summary.attrs.get("role") != "alert" or not summary.all_text():
                problems.append(f"{where}: an error summary that is not an alert with text")


def field_problems(wrapper: Element, control: Element) -> list[str]:
    """What is wrong with one field's markup: its label (or its group's legend), and help and
    errors tied to the control (or its group) by aria-describedby."""
    problems = []
    inside = list(wrapper.iter())
    group = next((e for e in inside if e.tag == "fieldset"), None)
    labels = [e for e in inside if e.tag == "label"]
    control_id = control.attrs.get("id", "")
    if group is not None:
        legend = next((e for e in group.children if e.tag == "legend"), None)
        if legend is None or not legend.all_text():
            problems.append(f"{control!r}: a group of choices without a legend")
        if not any(e is control for label in labels for e in label.iter()) and not any(
            label.attrs.get("for") == control_id for label in labels
        ):
            problems.append(f"{control!r}: a choice without its label")
    elif not control_id or not any(label.attrs.get("for") == control_id for label in labels):
        problems.append(f"{control!r}: no label for it")
    described = group if group is not None else control
    describedby = described.attrs.get("aria-describedby", "").split()
    errors = [e for e in inside if e.tag == "ul" and "errorlist" in e.classes]
    helps = [e for e in inside if "helptext" in e.classes and e.attrs.get("id")]
    if ("field-invalid" in wrapper.classes) != bool(errors):
        problems.append(f"{control!r}: the field-invalid class and the errors disagree")
    problems.extend(
        f"{control!r}: its errors are not in its aria-describedby"
        for error in errors
        if not error.attrs.get("id") or error.attrs["id"] not in describedby
    )
    if errors and control.attrs.get("aria-invalid") != "true":
        problems.append(f"{control!r}: errors shown but not aria-invalid")
    if not errors and "aria-invalid" in control.attrs:
        problems.append(f"{control!r}: aria-invalid without an error")
    problems.extend(
        f"{control!r}: its help is not in its aria-describedby"
        for help_text in helps
        if help_text.attrs["id"] not in describedby
    )
    return problems


def fetch(client: Client, method: str, url: str, data=None):
    """(HTML or None, names of the fields the partial drew) for one request, rendered afresh
    (not a copy the page cache kept)."""
    drawn: set[str] = set()

    def remember(sender, template, context, **kwargs):
        if template.name == FIELD_PARTIAL:
            drawn.add(context["field"].html_name)

    caches["pages"].clear()
    template_rendered.connect(remember)
    try:
        response = getattr(client, method)(url, data or {})
    finally:
        template_rendered.disconnect(remember)
    is_html = response.get("Content-Type", "").startswith("text/html")
    if response.status_code not in (200, 429) or not is_html:
        return None, drawn
    return response.content.decode(), drawn


class _FormValues(HTMLParser):
    """Each form of a page: (method, action, hidden values, names of the fields people fill)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str], set[str]]] = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = None
            if not set(attrs.get("class", "").split()) & SEARCH_BOXES:
                method = (attrs.get("method") or "get").lower()
                self.current = (method, attrs.get("action", ""), {}, set())
                self.forms.append(self.current)
        elif self.current is not None and attrs.get("name"):
            kind = attrs.get("type", "text")
            if tag == "input" and kind == "hidden":
                self.current[2][attrs["name"]] = attrs.get("value", "")
            elif is_control(Element(tag, attrs)):
                self.current[3].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def sent_with_bad_values(client: Client, url: str, html: str, where: str, checked: Checked):
    """Each form of the page that people fill in, sent with a value no field takes — NUL in a
    form that posts (a query string with NUL is refused before any form sees it), far too much
    text in one that filters — and the page that answers checked as the first one was."""
    parser = _FormValues()
    parser.feed(html)
    for method, action, hidden, names in parser.forms:
        if not names:
            continue
        bad = "a\x00b" if method == "post" else "x" * 301
        target = urljoin(url, action) if action else url
        answer, drawn = fetch(client, method, target, {**hidden, **dict.fromkeys(names, bad)})
        if answer is not None:
            check_forms(answer, drawn, f"{where} → {method.upper()} {target}", checked)


def member_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # the onboarding middleware's first look
    return client


@pytest.mark.django_db
def test_every_form_on_the_site_is_drawn_by_the_shared_partials():
    world = build_world()
    checked = Checked()
    pages = []
    for who in (world.owner, world.other):
        client = member_client(who)
        urls = [world.url(name) for name in sorted(ROUTES)]
        urls += [reverse(name) for name in ALLAUTH_MEMBER]
        pages += [(client, url, who.display_name) for url in urls]
    visitor = Client()
    pages += [(visitor, reverse(name), "a visitor") for name in ALLAUTH_VISITOR]

    shown = []
    for client, url, who in pages:
        html, drawn = fetch(client, "get", url)
        if html is None:
            continue
        before = checked.fields
        check_forms(html, drawn, f"{who}: GET {url}", checked)
        if checked.fields > before:
            shown.append((client, url, html, who))
    fields_as_shown = checked.fields
    for client, url, html, who in shown:
        sent_with_bad_values(client, url, html, f"{who}: {url}", checked)

    assert checked.problems == [], "\n".join(checked.problems)
    # the walk reached the site's forms and their problems (not a check of nothing)
    assert len(shown) >= 45, [url for _client, url, _html, _who in shown]
    assert fields_as_shown >= 300
    assert checked.invalid >= 250


def test_the_checks_find_a_hand_written_field_and_untied_errors():
    """The markup check itself: a field not drawn by the partial, an error the control does not
    point at, and a form with problems but no summary are each found."""
    hand_written = (
        '<form method="post"><label for="id_q">Q</label><input id="id_q" name="q"></form>'
    )
    checked = Checked()
    check_forms(hand_written, set(), "hand-written", checked)
    assert checked.problems == [
        f"hand-written: <input {{'id': 'id_q', 'name': 'q'}}> is not drawn by {FIELD_PARTIAL}"
    ]

    untied = (
        '<form method="post"><div class="field field-invalid"><label for="id_q">Q</label>'
        '<ul class="errorlist" id="id_q_error"><li>Too long.</li></ul>'
        '<input id="id_q" name="q" aria-invalid="true"></div></form>'
    )
    checked = Checked()
    check_forms(untied, {"q"}, "untied", checked)
    assert checked.problems == [
        "untied: <input {'id': 'id_q', 'name': 'q'}>: its errors are not in its aria-describedby",
        "untied: no link from the summary to <input {'id': 'id_q', 'name': 'q'}>",
        "untied: 0 error summaries in a form with problems",
    ]


# --- one refused field on a form of every app, checked closely ------------------------------


def _refused(who, url_name, args=(), **data):
    """(client of `who` (None: a visitor), the form's address, what is sent)."""
    client = Client() if who is None else member_client(who)
    return client, reverse(url_name, args=args), data


REFUSED_FIELDS = {
    # app: (build the request from a member, the field refused, words of its error)
    "accounts": (
        lambda me: _refused(me, "accounts:update", [me.pk], bio="x" * (BIO_MAX_LENGTH + 1)),
        "bio",
        f"Please shorten this to {BIO_MAX_LENGTH:,} characters or fewer",
    ),
    "stories": (
        lambda me: _refused(me, "stories:report", [StoryFactory().pk], details=""),
        "reason",
        "This field is required.",
    ),
    "groups": (
        lambda me: _refused(me, "groups:create", name="", visibility="public"),
        "name",
        "This field is required.",
    ),
    "groups, a meetup": (
        lambda me: _refused(
            me, "groups:meetup_create", [GroupFactory(organizer=me).slug], title=""
        ),
        "title",
        "This field is required.",
    ),
    "cooperatives": (
        lambda me: _refused(
            me, "cooperatives:suggest", note="x" * (SUGGESTION_NOTE_MAX_LENGTH + 1)
        ),
        "note",
        f"Please shorten this to {SUGGESTION_NOTE_MAX_LENGTH:,} characters or fewer",
    ),
    "notifications": (
        lambda me: _refused(me, "notifications:mailing_list", enabled="on", daily_cap="7"),
        "daily_cap",
        "Select a valid choice.",
    ),
    "allauth": (
        lambda me: _refused(None, "account_signup", email="not an address"),
        "email",
        "Enter a valid email address.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("app", REFUSED_FIELDS)
def test_a_refused_field_is_marked_invalid_and_tied_to_its_message(app):
    build, name, message = REFUSED_FIELDS[app]
    client, url, data = build(UserFactory())

    html, drawn = fetch(client, "post", url, data)

    assert html is not None, f"{url} answered no page"
    assert name in drawn  # the field partial drew it
    root = parse(html)
    controls = [e for e in root.iter() if is_control(e) and e.attrs.get("name") == name]
    assert controls
    assert all(c.attrs.get("aria-invalid") == "true" for c in controls)
    wrapper = next(a for a in controls[0].ancestors() if "field" in a.classes)
    assert "field-invalid" in wrapper.classes
    group = next((e for e in wrapper.iter() if e.tag == "fieldset"), None)
    described = (group or controls[0]).attrs.get("aria-describedby", "").split()
    errors = next(e for e in wrapper.iter() if e.attrs.get("id") == f"id_{name}_error")
    assert errors.tag == "ul"
    assert "errorlist" in errors.classes
    assert message in errors.all_text()
    assert f"id_{name}_error" in described
    helps = [e for e in wrapper.iter() if "helptext" in e.classes]
    assert all(help_text.attrs["id"] in described for help_text in helps)
    summary = next(e for e in root.iter() if "error-summary" in e.classes)
    assert summary.attrs["role"] == "alert"
    first_id = controls[0].attrs["id"]
    link = next(a for a in summary.iter() if a.attrs.get("href") == f"#{first_id}")
    assert message in link.all_text()


@pytest.mark.django_db
def test_a_long_text_refused_keeps_its_limit_hint_and_counter_hook():
    """What static/js/character-count.js needs survives the shared partial and an error: the
    limit in the help text, `data-maxlength` on the textarea (and no `maxlength`, which would cut
    a paste short), and help and error both in aria-describedby, the counter adding its own."""
    me = UserFactory()
    client, url, data = _refused(me, "accounts:update", [me.pk], bio="x" * (BIO_MAX_LENGTH + 1))

    html, _drawn = fetch(client, "post", url, data)

    bio = next(e for e in parse(html).iter() if e.attrs.get("name") == "bio")
    assert bio.tag == "textarea"
    assert bio.attrs["data-maxlength"] == str(BIO_MAX_LENGTH)
    assert "maxlength" not in bio.attrs
    assert bio.attrs["aria-describedby"].split() == ["id_bio_helptext", "id_bio_error"]
    assert bio.all_text() == "x" * (BIO_MAX_LENGTH + 1)  # what they wrote is kept
    assert f"Up to {BIO_MAX_LENGTH:,} characters." in html


# --- in the browser: what a screen reader is told --------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_invalid_field_is_announced_with_its_error(page, base_url):
    member = UserFactory(display_name="Ada Author")
    story = StoryFactory(author=UserFactory())
    browser_sign_in(page, base_url, member)

    # a text field: the story form, published without the parts a story needs
    page.goto(f"{base_url}/stories/new/")
    page.get_by_label("Title").fill("Reading buddies")
    page.get_by_role("button", name="Publish").click()
    summary = page.get_by_label("Summary", exact=True)
    expect(summary).to_have_attribute("aria-invalid", "true")
    expect(summary).to_have_accessible_description(re.compile("Needed before you publish"))
    expect(page.get_by_role("alert")).to_contain_text("Summary: Needed before you publish")
    described = summary.get_attribute("aria-describedby").split()
    assert "id_summary_error" in described
    error_list = page.locator("#id_summary_error")
    expect(error_list).to_have_class("errorlist")
    expect(error_list).to_contain_text("Needed before you publish")

    # a group of choices: a report sent without saying what is wrong
    page.goto(f"{base_url}{reverse('stories:report', args=[story.pk])}")
    page.get_by_role("button", name="Send report").click()
    group = page.get_by_role("group", name=re.compile("What is wrong"))
    expect(group).to_have_accessible_description(re.compile("This field is required"))
    expect(group.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    page.get_by_role("alert").get_by_role("link", name=re.compile("What is wrong")).click()
    expect(page).to_have_url(re.compile("#id_reason_0$"))

    # allauth's own form: a password change with the wrong current password
    page.goto(f"{base_url}{reverse('account_change_password')}")
    page.get_by_label("Current Password").fill("not my password")
    page.get_by_label(re.compile(r"^New Password \(required\)")).fill("a new long passphrase 1")
    page.get_by_label(re.compile(r"^New Password \(again\)")).fill("a new long passphrase 1")
    page.get_by_role("button", name="Change password").click()
    current = page.get_by_label("Current Password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_have_accessible_description(re.compile("current password", re.I))
