"""A newcomer does everything with the keyboard alone (Tab, Shift+Tab, Enter, Space and
typing): signs up, verifies the address from the email, onboards, writes and publishes a story,
RSVPs to a meetup and creates the calendar address for their meetups. After every key the
focused element must show a visible focus indicator. (Moving between tasks uses the address
bar, as a keyboard user would; the verification link comes from the email.)"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from groups.models import RSVP, CalendarToken
from stories.models import Story
from tests.factories import GroupFactory, MeetupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
PASSWORD = "quiet-stacks-2026"
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: "", visible: true, tag: "BODY"};
  const s = getComputedStyle(el);
  const outlined = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = label || el.getAttribute("aria-label") || el.innerText || el.value || "";
  return {name: name.trim(), visible: outlined, tag: el.tagName};
}"""


def focus(page, name: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until the element named `name` has focus; focus stays visible."""
    pattern = re.compile(name)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = page.evaluate(FOCUSED)
        assert now["visible"], f"focus not visible on {now}"
        if pattern.search(now["name"]):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def heading(page):
    return page.get_by_role("heading", level=1)


def test_sign_up_write_rsvp_and_subscribe_with_the_keyboard_only(page, base_url, task_queue):
    group = GroupFactory(name="Washtenaw school librarians")
    meetup = MeetupFactory(group=group, title="Long lunch and collaboration")
    occurrence = meetup.occurrences.first()

    page.goto(base_url + "/accounts/signup/")
    focus(page, r"^Email")
    page.keyboard.type("kim.keys@district.example")
    focus(page, r"^Your name")
    page.keyboard.type("Kim Keys")
    focus(page, r"^Password \(required\)")
    page.keyboard.type(PASSWORD)
    focus(page, r"^Password \(again\)")
    page.keyboard.type(PASSWORD)
    focus(page, r"^Join$")
    page.keyboard.press("Enter")
    expect(heading(page)).to_contain_text("Verify Your Email Address")

    task_queue.run_all()
    page.goto(CONFIRM_LINK.search(mail.outbox[-1].body).group(0))
    focus(page, r"^Confirm$")
    page.keyboard.press("Enter")

    # confirmed in the browser that signed up: signed in straight away
    expect(heading(page)).to_have_text("Welcome! Tell colleagues where you work")
    focus(page, r"^Your name")
    assert page.evaluate("document.activeElement.value") == "Kim Keys"  # given at sign-up
    focus(page, r"^Library type")
    page.keyboard.type("Public")  # a closed <select> picks by typing
    focus(page, r"^Library name")
    page.keyboard.type("Ann Arbor District Library")
    focus(page, r"^ZIP or postal code")
    page.keyboard.type("48104")
    focus(page, r"^Save and continue$")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Kim Keys")

    page.goto(base_url + "/stories/new/")
    focus(page, r"^Title")
    page.keyboard.type("Lunch-hour book swaps for teachers")
    focus(page, r"^Summary")
    page.keyboard.type("Teachers swap books with us at lunch once a month.")
    focus(page, r"^The situation")
    page.keyboard.type("Teachers never had time to visit the library.")
    focus(page, r"^What we did")
    page.keyboard.type("A cart of books in the staff room, once a month at lunch.")
    focus(page, r"^Results")
    page.keyboard.type("Forty loans to staff in the first term.")
    focus(page, r"^Teens")
    page.keyboard.press("Space")  # a checkbox ticks with Space
    focus(page, r"^Topics")
    page.keyboard.type("teachers")
    focus(page, r"^Save draft$")
    focus(page, r"^Preview$", backwards=True)  # Shift+Tab works back through the form
    focus(page, r"^Publish$")
    page.keyboard.press("Space")
    expect(heading(page)).to_have_text("Lunch-hour book swaps for teachers")
    assert Story.objects.get(title="Lunch-hour book swaps for teachers").status == "published"

    page.goto(base_url + occurrence.get_absolute_url())
    focus(page, r"^Join the group$")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(base_url + occurrence.get_absolute_url())
    focus(page, r"^I’m going$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I can’t go")).to_be_visible()
    assert RSVP.objects.filter(occurrence=occurrence, status="going").count() == 1

    page.goto(base_url + "/groups/mine/")
    focus(page, r"^Create my calendar address$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Open in my calendar app")).to_be_visible()
    assert CalendarToken.objects.filter(member__email="kim.keys@district.example").exists()
