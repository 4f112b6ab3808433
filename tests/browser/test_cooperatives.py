"""A curator adds an entry in Django admin and verifies it; a member then finds it in the
public directory by filter and by a misspelt search."""

import re

from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, make_curator


def sign_in(page, base_url, email, next_url):
    # the login page every branch shares (allauth's); /admin/login/ may route here too
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_curator_adds_and_verifies_an_entry_a_member_finds_it(page, base_url, axe):
    OrganisationFactory(
        name="American Library Association",
        acronym="ALA",
        kind="national_association",
        states=[],
        all_library_types=True,
    )
    OrganisationFactory(name="Tenn-Share", kind="consortium", states=["TN"])
    curator = make_curator(email="curator@libraries.example", display_name="Cora Curator")
    member = UserFactory(email="reader@libraries.example")

    # --- the curator, in Django admin ---
    sign_in(page, base_url, curator.email, "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Organisations").first.click()
    page.get_by_role("link", name=re.compile("Add organisation")).click()

    page.get_by_label("Name:").fill("Keweenaw Library Cooperative")
    page.get_by_label("Acronym:").fill("KLC")
    page.get_by_label("Kind:").select_option(label="Regional library cooperative")
    page.get_by_label("Description:").fill(
        "Public, school and college libraries of the Keweenaw Peninsula sharing a catalogue."
    )
    # parent: the autocomplete beside the "Part of" label
    parents_row = page.get_by_text("Part of:", exact=True).locator("xpath=..")
    parents_row.get_by_role("searchbox").fill("American Lib")
    page.get_by_role("option", name="American Library Association (ALA)").click()
    # state: the admin's two-box chooser
    page.get_by_role("listbox", name=re.compile("^Available states")).select_option(
        label="Michigan"
    )
    page.get_by_role("button", name="Choose selected states").click()
    page.get_by_label("Public").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(re.compile("was added successfully"))).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("Keweenaw Library Cooperative")).check()
    page.get_by_label("Action:").select_option(label="Mark verified today")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("1 entry marked verified today.")).to_be_visible()

    page.goto(base_url + "/")
    page.get_by_role("button", name="Log out").click()

    # --- a member, in the public directory ---
    sign_in(page, base_url, member.email, "/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of cooperatives")
    assert axe(page) == []

    page.get_by_label("State or territory").select_option(label="Michigan")
    page.get_by_label("Kind").select_option(label="Regional library cooperative")
    page.get_by_role("button", name="Show entries").click()
    results = page.get_by_role("region", name=re.compile("matching entr"))
    expect(results.get_by_role("link", name="Keweenaw Library Cooperative")).to_be_visible()
    expect(results.get_by_role("link", name="Tenn-Share")).to_have_count(0)
    assert axe(page) == []

    page.get_by_role("link", name="Clear all").click()
    page.get_by_role("searchbox", name="Search").fill("Kewenaw")  # misspelt
    page.get_by_role("button", name="Show entries").click()
    results = page.get_by_role("region", name=re.compile("matching entr"))
    expect(results.get_by_role("heading", level=3)).to_have_count(1)
    results.get_by_role("link", name="Keweenaw Library Cooperative").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Keweenaw Library Cooperative")
    expect(page.get_by_text(re.compile("Last verified by a curator on"))).to_be_visible()
    expect(page.get_by_role("link", name="American Library Association")).to_be_visible()
    expect(page.get_by_text("Michigan", exact=True)).to_be_visible()
    assert axe(page) == []

    # and lists themselves there
    page.get_by_label("Officer").check()
    page.get_by_role("button", name="List me here").click()
    expect(page.get_by_text(re.compile("you are listed as officer"))).to_be_visible()
    assert axe(page) == []


def test_suggesting_a_correction_is_accessible_and_keeps_input(page, base_url, axe):
    organisation = OrganisationFactory(name="Superiorland Library Cooperative", states=["MI"])
    member = UserFactory(email="helper@libraries.example")

    sign_in(page, base_url, member.email, organisation.get_absolute_url())
    page.get_by_role("link", name="Suggest a correction").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    assert axe(page) == []

    page.get_by_label("Website").fill("not a web address")
    page.get_by_label("Note for the curators").fill("Their site moved in 2024.")
    page.get_by_role("button", name="Send to the curators").click()

    expect(page.get_by_label("Website")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Note for the curators")).to_have_value("Their site moved in 2024.")
    assert axe(page) == []

    page.get_by_label("Website").fill("https://superiorland.example.org/")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your directory suggestions")
    expect(page.get_by_role("cell", name="Waiting for a curator")).to_be_visible()
    assert axe(page) == []
