import pytest

from tests.factories import StoryFactory, UserFactory


@pytest.fixture
def author(db):
    return UserFactory(display_name="Alex Author")


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def story(author):
    return StoryFactory(author=author, title="Monthly long lunch for middle-school librarians")


@pytest.fixture
def challenge(author):
    return StoryFactory(
        author=author,
        kind="challenge",
        title="How do we reach home-schooled teens?",
        tags=["teen services"],
    )


@pytest.fixture
def draft(author):
    return StoryFactory(author=author, status="draft", title="Half-written draft about makerspaces")
