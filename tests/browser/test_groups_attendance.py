"""Check-in and certificate in a real browser: the organizer shows the meetup's code, a member
checks in with it, opens their professional-development page and certificate, and anyone can
confirm the certificate at its public address."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Attendance, Occurrence
from tests.browser.test_groups import log_in
from tests.factories import GroupFactory, MeetupFactory, MembershipFactory, UserFactory


def test_member_checks_in_with_the_code_and_gets_a_verifiable_certificate(page, base_url, axe):
    organizer = UserFactory(display_name="Olive Organizer")
    member = UserFactory(display_name="Mina Member")
    group = GroupFactory(organizer=organizer, name="Middle school librarians")
    MembershipFactory(group=group, member=member)
    meetup = MeetupFactory(group=group, title="Long lunch", pd_credit_hours=Decimal("1.5"))
    occurrence = meetup.occurrences.get()
    start = timezone.now() - timedelta(minutes=20)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        start=start, end=start + timedelta(minutes=90)
    )
    url = f"{base_url}{occurrence.get_absolute_url()}"

    # the organizer reads the code off the meetup's page
    log_in(page, base_url, organizer)
    page.goto(url)
    code_text = page.get_by_text("Show this check-in code at the meetup")
    expect(code_text).to_be_visible()
    code = code_text.locator("strong").inner_text().strip()
    assert len(code) == 6
    assert axe(page) == []

    # the member types it in
    log_in(page, base_url, member)
    page.goto(url)
    page.get_by_label("Check-in code").fill("WRONG1")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Check-in code").fill(code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("You’re checked in")).to_be_visible()
    assert axe(page) == []

    # their professional-development page and the certificate
    page.goto(f"{base_url}/groups/mine/")
    page.get_by_role("link", name="My professional development").click()
    expect(page.get_by_role("heading", name="My professional development")).to_be_visible()
    expect(page.get_by_text("Total: 1.5 hours")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="Certificate for Long lunch").click()
    expect(page.get_by_role("heading", name="Certificate of attendance")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Mina Member")).to_be_visible()
    assert axe(page) == []
    attendance = Attendance.objects.get(member=member)
    verify_path = attendance.get_verification_url()
    link = page.get_by_role("link", name=verify_path, exact=False)
    expect(link).to_have_attribute("href", re.compile(re.escape(verify_path) + "$"))

    # anyone, signed out, can confirm it
    page.context.clear_cookies()
    page.goto(f"{base_url}{verify_path}")
    expect(page.get_by_role("heading", name="Certificate verified")).to_be_visible()
    expect(page.get_by_text("This certificate is genuine")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Mina Member")).to_be_visible()
    assert axe(page) == []

    forged = page.goto(f"{base_url}/groups/certificates/forged-{attendance.verification_code[:8]}/")
    assert forged.status == 404
