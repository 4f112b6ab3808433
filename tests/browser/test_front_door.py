"""Member A follows a topic; member B publishes a story about it; A sees it on the dashboard
and gets a notification; opening it takes A to the story and the unread count drops."""

import re
import threading

from django.db import connection
from playwright.sync_api import expect

from stories.services import story_create
from tests.factories import TEST_PASSWORD, OrganisationFactory, StoryFactory, UserFactory


def log_in(page, base_url, user):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def in_thread(work):
    """Run service calls that defer jobs in a thread of their own: Playwright keeps an event
    loop in this one, and the in-memory task queue would refuse to run in it."""
    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    return result["value"]


def test_follow_a_topic_see_new_story_on_dashboard_and_open_notification(
    page, base_url, axe, task_queue
):
    reader = UserFactory(display_name="Ada Reader")
    writer = UserFactory(display_name="Bea Writer")
    StoryFactory(title="Seed libraries, year one", tags=["seed libraries"])

    # A: the dashboard, then follow the topic from its story list
    log_in(page, base_url, reader)
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Welcome back"))
    expect(page.get_by_text("Nothing new from what you follow")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").click()
    page.get_by_role("link", name="seed libraries").first.click()
    page.get_by_role("button", name=re.compile("Follow seed libraries")).click()
    expect(page.get_by_role("button", name=re.compile("Following seed libraries"))).to_be_visible()
    assert axe(page) == []

    # B publishes a story on that topic; the fan-out job runs on the queue
    def publish():
        story = story_create(
            author=writer,
            data={"title": "Seed library swap day", "kind": "success", "summary": "Seeds galore."},
            tags=["seed libraries"],
            publish=True,
        )
        task_queue.run_all()
        return story

    story = in_thread(publish)

    # A sees it on the dashboard and has a notification
    page.goto(base_url + "/")
    following = page.get_by_role("region", name="From what you follow")
    expect(following.get_by_role("link", name="Seed library swap day")).to_be_visible()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    assert axe(page) == []

    account.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    page.get_by_role("button", name=re.compile("Seed library swap day")).click()

    expect(page).to_have_url(re.compile(re.escape(story.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Seed library swap day")
    expect(account.get_by_role("link", name="Notifications", exact=True)).to_be_visible()


def test_search_from_the_header(page, base_url, axe):
    StoryFactory(title="Robotics club for tweens", tags=["robotics"])

    page.goto(base_url + "/")
    search = page.get_by_role("search", name="Site")
    search.get_by_label("Find anything on Librarian Commons").fill("robotics")
    search.get_by_role("button", name="Find").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    stories = page.get_by_role("region", name="Stories")
    expect(stories.get_by_role("link", name="Robotics club for tweens")).to_be_visible()
    assert axe(page) == []


def test_a_misspelt_search_says_what_it_searched_for(page, base_url, axe):
    OrganisationFactory(name="Keweenaw Reading Cooperative", acronym="", description="")

    page.goto(base_url + "/")
    search = page.get_by_role("search", name="Site")
    search.get_by_label("Find anything on Librarian Commons").fill("keweenaw cooprative")
    search.get_by_role("button", name="Find").click()

    expect(page.get_by_text("Showing results for “keweenaw cooperative”")).to_be_visible()
    directory = page.get_by_role("region", name="Directory")
    expect(directory.get_by_role("link", name="Keweenaw Reading Cooperative")).to_be_visible()
    assert axe(page) == []
