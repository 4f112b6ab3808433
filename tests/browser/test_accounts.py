import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import ContactMessage, Profile
from tests.factories import TEST_PASSWORD, UserFactory, profile_for

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
PASSWORD = "quiet-stacks-2026"


def heading(page):
    return page.get_by_role("heading", level=1)


def test_signup_verify_login_onboard_and_see_the_profile(page, base_url, axe, task_queue):
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Join").click()
    expect(heading(page)).to_have_text("Join Librarian Commons")
    assert axe(page) == []

    page.get_by_label("Email").fill("nina.newcomer@district.example")
    page.get_by_label("Your name").fill("Nina Newcomer")
    page.get_by_label(re.compile(r"^Password \(required\)")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(heading(page)).to_contain_text("Verify Your Email Address")

    # the link arrives by email; open it as if on another device, then log in there
    task_queue.run_all()
    link = CONFIRM_LINK.search(mail.outbox[-1].body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    expect(heading(page)).to_have_text("Confirm your email address")
    assert axe(page) == []
    page.get_by_role("button", name="Confirm").click()

    expect(heading(page)).to_have_text("Log in")
    page.get_by_label("Email").fill("nina.newcomer@district.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(heading(page)).to_have_text("Welcome! Tell colleagues where you work")
    expect(page.get_by_text("Three things first")).to_contain_text("your name")
    expect(page.get_by_label("Your name")).to_have_value("Nina Newcomer")  # from sign-up
    assert axe(page) == []
    page.get_by_role("button", name="Save and continue").click()  # nothing else filled in yet
    expect(page.get_by_role("alert")).to_contain_text("Library type: This field is required.")
    expect(page.get_by_label("Library type")).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []

    page.get_by_label("Library type").select_option(label="Public")
    page.get_by_label("Library name").fill("Ypsilanti District Library")
    page.get_by_label("ZIP or postal code").fill("48197")
    page.get_by_role("button", name="Save and continue").click()

    expect(heading(page)).to_have_text("Nina Newcomer")
    expect(page.get_by_text("Public library · Ypsilanti, Michigan")).to_be_visible()
    expect(page.get_by_role("heading", name="Help colleagues find you")).to_be_visible()
    expect(page.get_by_role("link", name="Edit profile")).to_be_visible()
    assert "nina.newcomer@district.example" not in page.content()
    assert axe(page) == []


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_find_a_colleague_nearby_and_write_to_them(page, base_url, axe, task_queue):
    me = UserFactory(email="me@school.example", display_name="Hannah High")
    profile_for(me, library_type="high_school", postal_code="48104", state="MI")
    colleague = UserFactory(email="tom@aadl.example", display_name="Tom Becker")
    profile_for(
        colleague,
        library_type="public",
        job_title="Teen librarian",
        library_name="Ann Arbor District Library",
        postal_code="48197",
        state="MI",
        can_help_with=["college readiness", "makerspace"],
        open_to_visits=True,
    )
    far = UserFactory(display_name="Chicago Colleague")
    profile_for(
        far,
        library_type="academic",
        job_title="Archivist",
        library_name="Loop Archives",
        postal_code="60601",
        state="IL",
    )

    log_in(page, base_url, "me@school.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Colleagues").click()
    expect(heading(page)).to_have_text("Colleagues")
    assert axe(page) == []

    page.get_by_label("Search names, libraries and topics").fill("librarain")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("region", name=re.compile("colleague"))
    card = results.get_by_role("article", name="Tom Becker")
    expect(card.get_by_text(re.compile(r"about [56] miles away"))).to_be_visible()
    expect(results.get_by_role("link", name="Chicago Colleague")).to_have_count(0)

    results.get_by_role("link", name="Tom Becker").click()
    expect(heading(page)).to_have_text("Tom Becker")
    assert axe(page) == []
    page.get_by_role("link", name="Contact Tom Becker").click()
    expect(heading(page)).to_have_text("Contact Tom Becker")
    assert axe(page) == []
    page.get_by_label("Your message").fill("Could your teens visit our makerspace night?")
    page.get_by_label("Let them reply to my email address").check()
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("status")).to_contain_text("Your message to Tom Becker is on its way")
    task_queue.run_all()
    assert mail.outbox[-1].to == ["tom@aadl.example"]
    assert ContactMessage.objects.filter(sender=me, recipient=colleague).exists()


def test_edit_profile_and_settings_are_accessible(page, base_url, axe):
    me = UserFactory(email="me@library.example", display_name="Olive Owner")
    profile_for(me, library_type="academic", postal_code="48104", state="MI")

    log_in(page, base_url, "me@library.example")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Settings").click()
    expect(heading(page)).to_have_text("Settings")
    assert axe(page) == []
    expect(page.get_by_label("The weekly digest")).to_be_checked()
    expect(page.get_by_label("Signed-in members (default)")).to_be_checked()
    page.get_by_label("The weekly digest").uncheck()
    page.get_by_label("Everyone, including visitors who are not signed in").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your settings are saved")
    expect(page.get_by_label("The weekly digest")).not_to_be_checked()

    page.get_by_role("link", name="Edit your profile").click()
    expect(heading(page)).to_have_text("Edit your profile")
    assert axe(page) == []
    page.get_by_label("I can help with").fill("information literacy, OER")
    page.get_by_label("Mentoring").check()
    page.get_by_label("ZIP or postal code").fill("99999")
    page.get_by_role("button", name="Save profile").click()
    zip_code = page.get_by_label("ZIP or postal code")
    expect(zip_code).to_have_attribute("aria-invalid", "true")
    # the error is read with the field, and listed (with the field's name) in the summary
    unknown = "We don't know the ZIP code 99999"
    expect(zip_code).to_have_accessible_description(re.compile(unknown))
    expect(page.get_by_role("alert")).to_contain_text(f"ZIP or postal code: {unknown}")
    expect(page.get_by_label("I can help with")).to_have_value("information literacy, OER")
    assert axe(page) == []

    page.get_by_label("ZIP or postal code").fill("48104")
    page.get_by_role("button", name="Save profile").click()
    expect(heading(page)).to_have_text("Olive Owner")
    expect(page.get_by_role("link", name="information literacy")).to_be_visible()
    expect(page.get_by_text("Public: anyone can see this page")).to_be_visible()


def test_the_bio_counts_what_is_left_and_a_longer_one_is_kept_to_shorten(page, base_url, axe):
    me = UserFactory(email="me@library.example", display_name="Olive Owner")
    profile_for(me, library_type="academic", postal_code="48104", state="MI", bio="Before")
    limit = Profile._meta.get_field("bio").max_length

    log_in(page, base_url, "me@library.example")
    page.goto(base_url + f"/members/{me.pk}/edit/")
    bio = page.get_by_label("About you")
    expect(bio).to_have_accessible_description(re.compile(f"Up to {limit:,} characters"))
    bio.fill("Two\nlines")  # a line break counts once, as the server counts it
    expect(page.get_by_text(f"{limit - 9:,} characters left")).to_be_visible()
    assert axe(page) == []

    too_long = "x" * (limit + 5)
    bio.fill(too_long)  # no maxlength: the browser keeps the whole paste
    expect(page.get_by_text("5 characters too many")).to_be_visible()
    expect(bio).to_have_accessible_description(re.compile("5 characters too many"))
    page.get_by_role("button", name="Save profile").click()

    expect(bio).to_have_attribute("aria-invalid", "true")
    refused = f"Please shorten this to {limit:,} characters or fewer"
    expect(bio).to_have_accessible_description(re.compile(refused))
    expect(page.get_by_role("alert")).to_contain_text(f"About you: {refused}")
    expect(bio).to_have_value(too_long)
    assert Profile.objects.get(user=me).bio == "Before"
    assert axe(page) == []
