"""A librarian writes a challenge with the structured form, previews and publishes it; it is
found by search and by topic; a colleague comments; the author marks what worked."""

import re

from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, StoryFactory, UserFactory


def log_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_write_preview_publish_find_discuss_and_mark_what_worked(page, base_url, axe):
    author = UserFactory(display_name="Marisol Ortiz", profile__state="MI")
    helper = UserFactory(display_name="Grace Lindqvist")
    StoryFactory(
        title="An older story about budgets",
        tags=["budget cuts"],
        summary="Cutting costs without cutting hours.",
        **dict.fromkeys(["situation", "what_we_did", "results", "do_differently"], "Budgets."),
    )

    # write a challenge with the structured form
    log_in(page, base_url, author)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessons learned")
    assert axe(page) == []
    page.get_by_role("link", name="Ask for help with a challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share a story")
    expect(page.get_by_role("radio", name="Challenge")).to_be_checked()
    page.get_by_label("Title").fill("Reaching home-schooled teens")
    page.get_by_label("Summary").fill("Home-schooled teens never come to our teen nights.")
    page.get_by_label("The situation or challenge").fill(
        "Our branch runs **weekly teen nights**; home-schooled families don't come."
    )
    page.get_by_label("What we did").fill("Flyers at the co-op and the rec centre.")
    page.get_by_label("Results and evidence").fill("Ideas that worked elsewhere.")
    page.get_by_label("Resources").fill("Our flyer https://example.org/flyer")
    page.get_by_label("Teens").check()
    page.get_by_role("textbox", name="Topics").fill("teen services, homeschooling")
    assert axe(page) == []

    # preview: rendered, nothing saved, nothing lost
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_be_visible()
    expect(preview.locator("strong", has_text="weekly teen nights")).to_be_visible()
    expect(preview.get_by_role("link", name="Our flyer")).to_have_attribute(
        "href", "https://example.org/flyer"
    )
    expect(page.get_by_label("Title")).to_have_value("Reaching home-schooled teens")
    assert axe(page) == []

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reaching home-schooled teens")
    expect(page.get_by_text("Open challenge: can you help?")).to_be_visible()
    expect(page.get_by_text("Your story is published")).to_be_visible()
    assert axe(page) == []
    story_url = page.url

    # found by search, a misspelt search, and by topic
    page.goto(base_url + "/stories/")
    page.get_by_label("Search stories").fill("home-schooled")
    page.get_by_role("button", name="Show stories").click()
    results = page.get_by_role("region", name=re.compile("matching"))
    expect(results.get_by_role("link", name="Reaching home-schooled teens")).to_be_visible()
    expect(results.get_by_role("link", name="An older story about budgets")).to_have_count(0)
    assert axe(page) == []

    page.get_by_label("Search stories").fill("reching teenz")
    page.get_by_role("button", name="Show stories").click()
    expect(page.get_by_text("No story uses exactly those words")).to_be_visible()
    expect(page.get_by_role("link", name="Reaching home-schooled teens")).to_be_visible()

    page.goto(story_url)
    page.get_by_role("list", name="Topics").get_by_role("link", name="homeschooling").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile("about homeschooling"))
    ).to_be_visible()
    expect(page.get_by_role("link", name="Reaching home-schooled teens")).to_be_visible()
    expect(page.get_by_role("link", name="An older story about budgets")).to_have_count(0)
    log_out(page)

    # a colleague comments
    log_in(page, base_url, helper)
    page.goto(story_url)
    page.get_by_label("Your comment").fill("Try the **4-H club**: ours meets at the library.")
    page.get_by_role("button", name="Post comment").click()
    comment = page.get_by_role("article", name=re.compile("Grace Lindqvist"))
    expect(comment).to_be_visible()
    expect(comment.locator("strong", has_text="4-H club")).to_be_visible()
    assert re.search(r"#comment-\d+$", page.url)
    assert axe(page) == []
    log_out(page)

    # the author marks what worked: solved, with the answer pinned under the question
    log_in(page, base_url, author)
    page.goto(story_url)
    page.get_by_role("button", name=re.compile("Mark as what worked")).click()
    answer = page.get_by_role("region", name="Solved: what worked")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("4-H club")
    expect(page.get_by_text("Solved", exact=True)).to_be_visible()
    expect(page.get_by_text("Open challenge: can you help?")).to_have_count(0)
    assert axe(page) == []


def test_story_pages_are_accessible_in_the_dark_scheme(page, base_url, axe):
    story = StoryFactory(kind="challenge", title="Open question", tags=["collaboration"])
    StoryFactory(title="A success", tags=["collaboration"])
    page.emulate_media(color_scheme="dark")

    page.goto(base_url + "/stories/")
    expect(page.get_by_role("link", name="Open question")).to_be_visible()
    assert axe(page) == []
    page.goto(base_url + story.get_absolute_url())
    assert axe(page) == []


def test_suggested_topics_are_added_with_a_click(page, base_url):
    StoryFactory(tags=["summer reading"])
    log_in(page, base_url, UserFactory())

    page.goto(base_url + "/stories/new/")
    page.get_by_role("textbox", name="Topics").fill("outreach")
    page.get_by_role("button", name="Add topic summer reading").click()

    expect(page.get_by_role("textbox", name="Topics")).to_have_value("outreach, summer reading")


def test_every_other_story_page_is_accessible(page, base_url, axe):
    author = UserFactory(display_name="Ruth Abernathy", profile__library_type="public")
    colleague = UserFactory(display_name="Grace Lindqvist", profile__library_type="public")
    challenge = StoryFactory(author=author, kind="challenge", title="Summer sign-ups fell")
    challenge.coauthors.add(colleague)
    StoryFactory(author=author, status="draft", title="A draft")
    other = StoryFactory(title="Someone else's success")
    log_in(page, base_url, author)
    page.goto(base_url + other.get_absolute_url())
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Your comment").fill("Thanks for this.")
    page.get_by_role("button", name="Post comment").click()
    comment_url = page.url

    for path, heading in [
        ("/stories/mine/", "My stories and drafts"),
        ("/stories/saved/", "Saved stories"),
        (f"/stories/{challenge.pk}/edit/", "Edit your story"),
        (f"/stories/{challenge.pk}/delete/", "Delete “Summer sign-ups fell”?"),
        (f"/stories/{challenge.pk}/coauthors/?q=grace", "Co-authors"),
        (f"/stories/{challenge.pk}/ask/", "Ask a colleague"),
        (f"/stories/{other.pk}/report/", "Report “Someone else's success”"),
    ]:
        page.goto(base_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert axe(page) == [], path

    page.goto(comment_url)
    page.get_by_role("link", name="Edit your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your comment")
    assert axe(page) == []
    page.goto(comment_url)
    page.get_by_role("link", name="Delete your comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your comment?")
    assert axe(page) == []
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
