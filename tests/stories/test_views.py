from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import ONBOARDED_SESSION_KEY
from stories.models import (
    COMMENT_MAX_LENGTH,
    RESOURCES_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Comment,
    HelpfulVote,
    Report,
    SavedStory,
    Story,
)
from tests.factories import CommentFactory, HelpfulVoteFactory, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "success",
    "title": "Reading buddies with the public library",
    "summary": "Two ongoing programs bring both library staffs together.",
    "situation": "Our school district and the public library both wanted more readers.",
    "what_we_did": "We swapped storytimes.",
    "results": "Circulation rose.",
    "do_differently": "Start in September.",
    "resources": "Toolkit https://example.org/toolkit",
    "library_types": ["public"],
    "audiences": ["children"],
    "tags": "Reading Programs, partnerships",
    "country": "US",
    "state": "MI",
    "homepage": "",
}


def login(client, user) -> Client:
    client.force_login(user)
    client.get(reverse("home"))  # a session's first request records onboarding once
    return client


def old_member(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=60), **kwargs)


# --- permissions: every view --------------------------------------------------------------
def members_only_requests(story, comment):
    return [
        ("get", reverse("stories:create")),
        ("post", reverse("stories:create")),
        ("get", reverse("stories:mine")),
        ("get", reverse("stories:saved")),
        ("get", reverse("stories:update", args=[story.pk])),
        ("post", reverse("stories:update", args=[story.pk])),
        ("get", reverse("stories:delete", args=[story.pk])),
        ("post", reverse("stories:delete", args=[story.pk])),
        ("post", reverse("stories:publish", args=[story.pk])),
        ("post", reverse("stories:helpful", args=[story.pk])),
        ("post", reverse("stories:save", args=[story.pk])),
        ("get", reverse("stories:report", args=[story.pk])),
        ("post", reverse("stories:report", args=[story.pk])),
        ("post", reverse("stories:comment_create", args=[story.pk])),
        ("post", reverse("stories:answer_unmark", args=[story.pk])),
        ("get", reverse("stories:ask", args=[story.pk])),
        ("post", reverse("stories:ask", args=[story.pk])),
        ("get", reverse("stories:coauthors", args=[story.pk])),
        ("post", reverse("stories:coauthor_add", args=[story.pk])),
        ("post", reverse("stories:coauthor_remove", args=[story.pk])),
        ("get", reverse("stories:comment_update", args=[comment.pk])),
        ("post", reverse("stories:comment_update", args=[comment.pk])),
        ("get", reverse("stories:comment_delete", args=[comment.pk])),
        ("post", reverse("stories:comment_delete", args=[comment.pk])),
        ("get", reverse("stories:comment_report", args=[comment.pk])),
        ("post", reverse("stories:comment_report", args=[comment.pk])),
        ("post", reverse("stories:answer_mark", args=[comment.pk])),
    ]


def test_visitors_are_sent_to_log_in_for_every_members_only_view(client, challenge):
    comment = CommentFactory(story=challenge)

    for method, url in members_only_requests(challenge, comment):
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("account_login")), (method, url)

    assert Story.objects.filter(pk=challenge.pk).exists()
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_public_pages_are_open_to_visitors(client, story):
    for url in [
        reverse("stories:list"),
        story.get_absolute_url(),
        reverse("stories:feed"),
        reverse("stories:feed_kind", args=["success"]),
    ]:
        assert client.get(url).status_code == 200, url


def test_other_members_cannot_use_the_authors_views(client, challenge):
    comment = CommentFactory(story=challenge)
    login(client, UserFactory())
    forbidden = [
        ("get", reverse("stories:update", args=[challenge.pk])),
        ("post", reverse("stories:update", args=[challenge.pk])),
        ("get", reverse("stories:delete", args=[challenge.pk])),
        ("post", reverse("stories:delete", args=[challenge.pk])),
        ("post", reverse("stories:publish", args=[challenge.pk])),
        ("post", reverse("stories:answer_unmark", args=[challenge.pk])),
        ("post", reverse("stories:answer_mark", args=[comment.pk])),
        ("get", reverse("stories:ask", args=[challenge.pk])),
        ("post", reverse("stories:ask", args=[challenge.pk])),
        ("get", reverse("stories:coauthors", args=[challenge.pk])),
        ("post", reverse("stories:coauthor_add", args=[challenge.pk])),
        ("post", reverse("stories:coauthor_remove", args=[challenge.pk])),
        ("get", reverse("stories:comment_update", args=[comment.pk])),
        ("post", reverse("stories:comment_update", args=[comment.pk])),
        ("get", reverse("stories:comment_delete", args=[comment.pk])),
        ("post", reverse("stories:comment_delete", args=[comment.pk])),
    ]

    for method, url in forbidden:
        assert getattr(client, method)(url, {"body": "x"}).status_code == 403, (method, url)

    challenge.refresh_from_db()
    assert challenge.title == "How do we reach home-schooled teens?"
    assert Comment.objects.get(pk=comment.pk).body == comment.body


def test_drafts_are_not_found_by_other_members_or_visitors(client, draft):
    urls = [
        ("get", draft.get_absolute_url()),
        ("get", reverse("stories:update", args=[draft.pk])),
        ("get", reverse("stories:delete", args=[draft.pk])),
        ("post", reverse("stories:publish", args=[draft.pk])),
        ("post", reverse("stories:helpful", args=[draft.pk])),
        ("post", reverse("stories:save", args=[draft.pk])),
        ("get", reverse("stories:report", args=[draft.pk])),
        ("post", reverse("stories:comment_create", args=[draft.pk])),
    ]
    assert client.get(draft.get_absolute_url()).status_code == 404

    login(client, UserFactory())
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert Story.objects.get(pk=draft.pk).status == "draft"


def test_hidden_stories_are_not_found_except_by_their_authors(client, author, story):
    story.hidden_at = timezone.now()
    story.hidden_reason = "Shares a student's name."
    story.save()

    assert client.get(story.get_absolute_url()).status_code == 404
    login(client, UserFactory())
    assert client.get(story.get_absolute_url()).status_code == 404

    response = login(client, author).get(story.get_absolute_url())
    assert response.status_code == 200
    assert "Shares a student&#x27;s name." in response.content.decode()


def test_coauthors_may_edit_publish_and_delete(client, draft):
    coauthor = UserFactory()
    draft.coauthors.add(coauthor)
    login(client, coauthor)

    assert client.get(reverse("stories:update", args=[draft.pk])).status_code == 200
    response = client.post(
        reverse("stories:update", args=[draft.pk]), {**FORM, "action": "publish"}
    )
    assert response.status_code == 302
    assert Story.objects.get(pk=draft.pk).status == "published"
    assert client.get(reverse("stories:coauthors", args=[draft.pk])).status_code == 200
    # co-authors can't add others: that stays with the author
    add = client.post(
        reverse("stories:coauthor_add", args=[draft.pk]), {"member": UserFactory().pk}
    )
    assert add.status_code == 403

    assert client.post(reverse("stories:delete", args=[draft.pk])).status_code == 302
    assert not Story.objects.filter(pk=draft.pk).exists()


def test_actions_that_change_data_refuse_get(author_client, story):
    comment = CommentFactory(story=story)
    for url in [
        reverse("stories:publish", args=[story.pk]),
        reverse("stories:helpful", args=[story.pk]),
        reverse("stories:save", args=[story.pk]),
        reverse("stories:comment_create", args=[story.pk]),
        reverse("stories:answer_mark", args=[comment.pk]),
        reverse("stories:answer_unmark", args=[story.pk]),
        reverse("stories:coauthor_add", args=[story.pk]),
        reverse("stories:coauthor_remove", args=[story.pk]),
    ]:
        assert author_client.get(url).status_code == 405, url


def test_every_form_needs_a_csrf_token(author, story):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    response = client.post(reverse("stories:create"), {**FORM, "action": "publish"})
    assert response.status_code == 403
    response = client.post(reverse("stories:comment_create", args=[story.pk]), {"body": "Hi"})
    assert response.status_code == 403
    assert Story.objects.count() == 1
    assert not Comment.objects.exists()

    page = client.get(reverse("stories:create")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


# --- writing ------------------------------------------------------------------------------
def test_the_form_starts_from_the_authors_region_and_library_type(client):
    member = UserFactory(profile__state="KS", profile__library_type="academic")

    response = login(client, member).get(reverse("stories:create") + "?kind=challenge")

    form = response.context["form"]
    assert form.initial["state"] == "KS"
    assert form.initial["library_types"] == ["academic"]
    assert form.initial["kind"] == "challenge"


def test_preview_renders_what_was_typed_without_saving(author_client):
    response = author_client.post(
        reverse("stories:create"),
        {**FORM, "what_we_did": "We **swapped** storytimes.", "action": "preview"},
    )

    assert response.status_code == 200
    assert not Story.objects.exists()
    page = response.content.decode()
    assert "<strong>swapped</strong>" in page  # rendered in the preview
    assert "We **swapped** storytimes." in page  # and still in the form, unchanged
    assert 'value="Reading buddies with the public library"' in page


def test_save_draft_needs_only_a_title(author_client, author):
    response = author_client.post(
        reverse("stories:create"),
        {"kind": "lesson", "title": "Notes for later", "country": "US", "action": "draft"},
    )

    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == story.get_absolute_url()
    assert story.status == "draft"
    assert story.author == author


def test_publishing_needs_a_summary_and_the_situation_and_keeps_the_text(author_client):
    response = author_client.post(
        reverse("stories:create"),
        {**FORM, "summary": "", "situation": "", "action": "publish"},
    )

    assert response.status_code == 200
    assert not Story.objects.exists()
    page = response.content.decode()
    assert "Needed before you publish" in page
    assert 'aria-invalid="true"' in page
    assert "We swapped storytimes." in page


def test_publish_creates_a_story_with_normalised_tags(author_client, author):
    response = author_client.post(reverse("stories:create"), {**FORM, "action": "publish"})

    story = Story.objects.get()
    assert response.status_code == 302
    assert story.is_published
    assert sorted(story.tags.names()) == ["partnerships", "reading programs"]
    assert story.state == "MI"
    assert story.library_types == ["public"]


def test_resources_must_be_links(author_client):
    response = author_client.post(
        reverse("stories:create"),
        {**FORM, "resources": "Our toolkit\nhttps://ok.example/x", "action": "publish"},
    )

    assert "Line 1 has no address" in response.content.decode()
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("summary", SUMMARY_MAX_LENGTH),
        ("situation", SECTION_MAX_LENGTH),
        ("do_differently", SECTION_MAX_LENGTH),
        ("resources", RESOURCES_MAX_LENGTH),
    ],
)
def test_a_text_over_its_limit_is_refused_with_the_text_kept(author_client, story, field, limit):
    too_long = "[a](b)" * (limit // 6 + 1)
    before = Story.objects.values().get(pk=story.pk)

    created = author_client.post(
        reverse("stories:create"), {**FORM, field: too_long, "action": "publish"}
    )
    edited = author_client.post(
        reverse("stories:update", args=[story.pk]), {**FORM, field: too_long, "action": "save"}
    )

    for response in (created, edited):
        assert response.status_code == 200
        page = response.content.decode()
        assert f"Please shorten this to {limit:,} characters or fewer" in page
        assert too_long in page  # kept, to shorten
        assert f"Up to {limit:,} characters." in page
    assert Story.objects.count() == 1
    assert Story.objects.values().get(pk=story.pk) == before


def test_line_breaks_count_as_one_character_like_the_counter_on_the_page(author_client):
    summary = "\r\n".join(["x" * 99] * 3)  # 297 characters and two CRLF line breaks

    author_client.post(reverse("stories:create"), {**FORM, "summary": summary, "action": "draft"})

    assert Story.objects.get().summary == summary.replace("\r\n", "\n")


def test_the_honeypot_refuses_the_form_but_keeps_the_text(author_client):
    response = author_client.post(
        reverse("stories:create"), {**FORM, "homepage": "http://spam.example", "action": "publish"}
    )

    assert response.status_code == 200
    assert not Story.objects.exists()
    page = response.content.decode()
    assert "a field meant to stay empty was filled in" in page
    assert "We swapped storytimes." in page


def test_new_accounts_may_post_three_stories_an_hour(author_client):
    for number in range(3):
        response = author_client.post(
            reverse("stories:create"), {**FORM, "title": f"Story {number}", "action": "publish"}
        )
        assert response.status_code == 302

    response = author_client.post(
        reverse("stories:create"), {**FORM, "title": "One too many", "action": "publish"}
    )

    assert response.status_code == 429
    assert Story.objects.count() == 3
    page = response.content.decode()
    assert "New accounts can post 3 stories an hour" in page
    assert 'value="One too many"' in page  # nothing typed is lost


def test_established_members_have_a_higher_limit(client):
    login(client, old_member())
    for number in range(5):
        response = client.post(
            reverse("stories:create"), {**FORM, "title": f"Story {number}", "action": "draft"}
        )
        assert response.status_code == 302
    assert Story.objects.count() == 5


def test_editing_keeps_old_links_working_and_shows_updated(author_client, story):
    old_url = story.get_absolute_url()

    response = author_client.post(
        reverse("stories:update", args=[story.pk]),
        {**FORM, "title": "A long lunch, once a month", "action": "save"},
    )

    story.refresh_from_db()
    assert response.status_code == 302
    assert story.get_absolute_url() != old_url
    redirect = author_client.get(old_url)
    assert redirect.status_code == 301
    assert redirect["Location"] == story.get_absolute_url()
    assert author_client.get(reverse("stories:detail_short", args=[story.pk]))["Location"] == (
        story.get_absolute_url()
    )
    assert "Updated" in author_client.get(story.get_absolute_url()).content.decode()


def test_preview_while_editing_changes_nothing(author_client, story):
    response = author_client.post(
        reverse("stories:update", args=[story.pk]),
        {**FORM, "title": "Not yet", "action": "preview"},
    )

    assert response.status_code == 200
    assert "Not yet" in response.content.decode()
    story.refresh_from_db()
    assert story.title == "Monthly long lunch for middle-school librarians"


def test_publishing_a_draft_from_its_page(author_client, draft):
    draft.summary, draft.situation = "A summary.", "A situation."
    draft.save()

    response = author_client.post(reverse("stories:publish", args=[draft.pk]))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.is_published


def test_publishing_an_incomplete_draft_sends_the_author_to_finish_it(author_client, draft):
    draft.summary = ""
    draft.save()

    response = author_client.post(reverse("stories:publish", args=[draft.pk]))

    assert response["Location"] == reverse("stories:update", args=[draft.pk])
    draft.refresh_from_db()
    assert not draft.is_published


def test_delete_asks_first(author_client, story):
    page = author_client.get(reverse("stories:delete", args=[story.pk]))
    assert page.status_code == 200
    assert "can’t be undone" in page.content.decode()
    assert Story.objects.filter(pk=story.pk).exists()

    response = author_client.post(reverse("stories:delete", args=[story.pk]))

    assert response["Location"] == reverse("stories:mine")
    assert not Story.objects.filter(pk=story.pk).exists()


def test_my_stories_lists_drafts_and_coauthored_stories(author_client, author, story, draft):
    coauthored = StoryFactory(title="Written together")
    coauthored.coauthors.add(author)
    StoryFactory(title="Someone else's")

    response = author_client.get(reverse("stories:mine"))

    assert [s.title for s in response.context["stories"]] == [
        draft.title,
        coauthored.title,
        story.title,
    ]


def test_coauthor_search_and_add(author_client, story):
    colleague = UserFactory(display_name="Jordan Colleague")
    UserFactory(display_name="Jordan Hidden", profile__visibility="hidden")

    page = author_client.get(reverse("stories:coauthors", args=[story.pk]), {"q": "jordan"})
    assert list(page.context["results"]) == [colleague]

    author_client.post(reverse("stories:coauthor_add", args=[story.pk]), {"member": colleague.pk})
    assert list(story.coauthors.all()) == [colleague]

    author_client.post(
        reverse("stories:coauthor_remove", args=[story.pk]), {"member": colleague.pk}
    )
    assert list(story.coauthors.all()) == []


def test_a_misspelt_coauthor_name_finds_the_member(author_client, story):
    colleague = UserFactory(display_name="Jordan Delgado", profile__visibility="members")

    page = author_client.get(reverse("stories:coauthors", args=[story.pk]), {"q": "delagdo"})

    assert list(page.context["results"]) == [colleague]
    assert "Showing results for “<strong>delgado</strong>”" in page.content.decode()


# --- reading ------------------------------------------------------------------------------
def test_detail_shows_sections_tags_author_card_and_comments(client, author, story):
    story.resources = "District toolkit https://example.org/toolkit"
    story.save()
    story.tags.set(["collaboration"])
    author.profile.job_title = "Media specialist"
    author.profile.save()
    comment = CommentFactory(story=story, body="We do this *too*.")
    login(client, UserFactory())

    page = client.get(story.get_absolute_url()).content.decode()

    assert "<h1" in page
    assert story.title in page
    assert "The situation" in page
    assert "What we did" in page
    assert 'href="https://example.org/toolkit" rel="nofollow ugc noopener"' in page
    assert "?tag=collaboration" in page
    assert "About the author" in page
    assert "Media specialist" in page
    assert f'id="comment-{comment.pk}"' in page
    assert f'href="#comment-{comment.pk}"' in page
    assert "<em>too</em>" in page


def test_visitors_see_author_details_only_for_public_profiles(client, author, story):
    author.profile.job_title = "Media specialist"
    author.profile.save()

    assert "Media specialist" not in client.get(story.get_absolute_url()).content.decode()

    author.profile.visibility = "public"
    author.profile.save()
    assert "Media specialist" in client.get(story.get_absolute_url()).content.decode()


def test_no_email_address_appears_on_story_pages(client, author, story):
    CommentFactory(story=story)
    login(client, UserFactory())

    for url in [story.get_absolute_url(), reverse("stories:list"), reverse("stories:feed")]:
        assert "@libraries.example" not in client.get(url).content.decode(), url


def test_a_solved_challenge_pins_the_answer(client, author, challenge):
    answer = CommentFactory(story=challenge, body="Partner with the **4-H club**.")
    login(client, author)

    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Open challenge" in page
    assert "Mark as what worked" in page

    response = client.post(reverse("stories:answer_mark", args=[answer.pk]))
    assert response.status_code == 302

    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "Solved: what worked" in page
    assert page.index("Solved: what worked") < page.index("The challenge")
    assert "Open challenge" not in page


def test_commenting_redirects_to_the_new_comment(client, story):
    login(client, UserFactory())

    response = client.post(
        reverse("stories:comment_create", args=[story.pk]), {"body": "Great idea."}
    )

    comment = Comment.objects.get()
    assert response["Location"] == f"{story.get_absolute_url()}#comment-{comment.pk}"
    story.refresh_from_db()
    assert story.comment_count == 1


def test_an_invalid_comment_keeps_what_was_typed(client, story):
    login(client, UserFactory())

    response = client.post(
        reverse("stories:comment_create", args=[story.pk]),
        {"body": "Kept text", "homepage": "bot"},
    )

    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_over_the_limit_is_refused_with_the_text_kept(client, story):
    login(client, UserFactory())
    too_long = "*a " * (COMMENT_MAX_LENGTH // 3 + 1)

    response = client.post(reverse("stories:comment_create", args=[story.pk]), {"body": too_long})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"{COMMENT_MAX_LENGTH:,} characters or fewer" in page
    assert too_long.strip() in page
    assert not Comment.objects.exists()


def test_new_accounts_may_post_ten_comments_an_hour(client, story):
    login(client, UserFactory())
    for number in range(10):
        client.post(reverse("stories:comment_create", args=[story.pk]), {"body": f"#{number}"})

    response = client.post(reverse("stories:comment_create", args=[story.pk]), {"body": "eleventh"})

    assert response.status_code == 429
    assert Comment.objects.count() == 10
    assert "eleventh" in response.content.decode()


def test_comment_edit_and_delete_own(client, story):
    comment = CommentFactory(story=story, body="First version")
    login(client, comment.author)

    page = client.get(reverse("stories:comment_update", args=[comment.pk]))
    assert "First version" in page.content.decode()
    response = client.post(
        reverse("stories:comment_update", args=[comment.pk]), {"body": "Second version"}
    )
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.body == "Second version"
    assert "edited" in client.get(story.get_absolute_url()).content.decode()

    assert client.get(reverse("stories:comment_delete", args=[comment.pk])).status_code == 200
    client.post(reverse("stories:comment_delete", args=[comment.pk]))
    assert not Comment.objects.exists()


def test_helpful_and_save_toggle_and_show_state(client, story):
    reader = UserFactory()
    login(client, reader)

    client.post(reverse("stories:helpful", args=[story.pk]))
    client.post(reverse("stories:save", args=[story.pk]))

    page = client.get(story.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page
    assert "1 member found this helpful" in page
    assert HelpfulVote.objects.filter(story=story, member=reader).exists()
    saved = client.get(reverse("stories:saved"))
    assert list(saved.context["stories"]) == [story]

    client.post(reverse("stories:save", args=[story.pk]))
    assert not SavedStory.objects.exists()


def test_reporting_a_story_and_a_comment(client, story):
    comment = CommentFactory(story=story)
    login(client, UserFactory())

    assert client.get(reverse("stories:report", args=[story.pk])).status_code == 200
    client.post(reverse("stories:report", args=[story.pk]), {"reason": "spam"})
    client.post(
        reverse("stories:comment_report", args=[comment.pk]),
        {"reason": "abuse", "details": "Rude."},
    )

    assert sorted(Report.objects.values_list("reason", flat=True)) == ["abuse", "spam"]
    response = client.post(reverse("stories:report", args=[story.pk]), {"reason": "bogus"})
    assert response.status_code == 200  # an unknown reason is refused with a message
    assert Report.objects.count() == 2


# --- the list -----------------------------------------------------------------------------
def test_the_list_shows_published_stories_and_open_challenges_stand_out(client, author):
    StoryFactory(title="Published success")
    StoryFactory(title="Hidden", hidden_at=timezone.now())
    StoryFactory(title="A draft", status="draft", author=author)
    StoryFactory(title="Please help", kind="challenge")
    login(client, author)

    response = client.get(reverse("stories:list"))

    assert [s.title for s in response.context["stories"]] == ["Please help", "Published success"]
    page = response.content.decode()
    assert "story-card-open" in page
    assert "Open challenge: can you help?" in page


def test_list_filters_combine_with_search(client):
    me = UserFactory(profile__state="NJ")
    match = StoryFactory(
        title="Makerspace on a budget",
        kind="lesson",
        tags=["makerspaces"],
        library_types=["high_school"],
        state="NJ",
        author=UserFactory(profile__state="NJ"),
    )
    StoryFactory(
        title="Makerspace in Michigan",
        kind="lesson",
        tags=["makerspaces"],
        library_types=["public"],  # not the author's random one, which may be high_school
        state="MI",
        author=UserFactory(profile__state="MI"),
    )
    StoryFactory(
        title="Makerspace success",
        kind="success",
        tags=["makerspaces"],
        library_types=["public"],  # not the author's random one, which may be high_school
        state="NJ",
    )
    login(client, me)

    for params in [
        {"q": "makerspace", "kind": "lesson", "state": "NJ"},
        {"q": "makerspace", "tag": "makerspaces", "library_type": "high_school"},
        {"q": "makerspace", "near": "on", "kind": "lesson"},
        {"q": "makerspace", "sort": "helpful", "kind": "lesson", "state": "NJ"},
    ]:
        response = client.get(reverse("stories:list"), params)
        assert list(response.context["stories"]) == [match], params


def test_open_challenges_filter_combines_with_search(client):
    open_one = StoryFactory(kind="challenge", title="Makerspace volunteers wanted")
    solved = StoryFactory(kind="challenge", title="Makerspace tools budget")
    solved.solved_answer = CommentFactory(story=solved)
    solved.save()
    StoryFactory(kind="success", title="Makerspace open day")

    response = client.get(reverse("stories:list"), {"q": "makerspace", "open": "on"})

    assert list(response.context["stories"]) == [open_one]


def test_search_results_show_highlighted_snippets(client):
    StoryFactory(title="Reading buddies", summary="Storytimes <b>swapped</b> every week.")

    page = client.get(reverse("stories:list"), {"q": "storytimes"}).content.decode()

    assert "<mark>Storytimes</mark>" in page
    assert "swapped" in page
    assert "<b>swapped</b>" not in page  # the member's markup is never trusted


def test_a_misspelt_search_falls_back_to_similar_titles(client):
    story = StoryFactory(title="College readiness dialogue")

    response = client.get(reverse("stories:list"), {"q": "colege readyness"})

    assert list(response.context["stories"]) == [story]
    assert "No story uses exactly those words" in response.content.decode()


def test_near_me_without_a_state_says_why(client):
    member = UserFactory(profile__state="")
    client.force_login(member)
    session = client.session  # as if they cleared their state after onboarding
    session[ONBOARDED_SESSION_KEY] = member.pk
    session.save()

    response = client.get(reverse("stories:list"), {"near": "on"})

    assert "Add your state to your profile" in response.content.decode()


def test_pagination_keeps_the_filters(client):
    StoryFactory.create_batch(22, kind="lesson")

    response = client.get(reverse("stories:list"), {"kind": "lesson", "sort": "newest"})

    page = response.content.decode()
    assert "kind=lesson&amp;sort=newest&amp;page=2" in page
    assert len(response.context["stories"]) == 20


def test_list_pages_announce_their_feeds(client):
    StoryFactory(tags=["summer reading"])

    page = client.get(reverse("stories:list"), {"kind": "challenge", "tag": "summer-reading"})

    html = page.content.decode()
    feed = reverse("stories:feed")
    assert f'type="application/atom+xml" title="All stories" href="{feed}"' in html
    assert f'href="{reverse("stories:feed_kind", args=["challenge"])}"' in html
    assert f'href="{reverse("stories:feed_tag", args=["summer-reading"])}"' in html


# --- query counts -------------------------------------------------------------------------
def _list_queries(client, django_assert_max_num_queries, expected):
    # one of them reads the versions of what the page shows (kit/scopes.py)
    with django_assert_max_num_queries(expected) as captured:
        assert client.get(reverse("stories:list"), {"q": "library"}).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_stories_or_tags(client, django_assert_max_num_queries):
    login(client, UserFactory())
    StoryFactory.create_batch(2, title="A library story", tags=["one", "two"])
    # the spelling lookup (kit/spelling.py) is one query, whatever the words
    few = _list_queries(client, django_assert_max_num_queries, 8)

    for number in range(15):
        StoryFactory(
            title="Another library story",
            tags=[f"topic {number}", "one", "two", "three"],
            author=UserFactory(),
        )
    many = _list_queries(client, django_assert_max_num_queries, 8)

    assert many == few


def test_detail_queries_do_not_grow_with_comments_tags_or_coauthors(
    client, django_assert_max_num_queries
):
    story = StoryFactory(title="Library story", tags=["one"])
    StoryFactory(title="Library related", tags=["one"])
    CommentFactory(story=story)
    login(client, UserFactory())
    with django_assert_max_num_queries(10) as few:
        client.get(story.get_absolute_url())

    story.tags.add("two", "three", "four")
    story.coauthors.add(UserFactory(), UserFactory())
    story.author.profile.can_help_with.add("five", "six")
    CommentFactory.create_batch(12, story=story)
    StoryFactory.create_batch(4, title="Library more", tags=["one", "two"])
    with django_assert_max_num_queries(10) as many:
        response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert len(many) == len(few)
    assert HelpfulVoteFactory._meta.model.objects.count() == 0


def test_a_search_with_more_matches_than_it_ranks_says_so(client, monkeypatch):
    monkeypatch.setattr("stories.views.SEARCH_POOL", 3)
    monkeypatch.setattr("stories.querysets.SEARCH_POOL", 3)
    StoryFactory.create_batch(5, title="Makerspace on a budget")

    response = client.get(reverse("stories:list"), {"q": "makerspace"})

    page = response.content.decode()
    assert "More than 3 stories matching “makerspace”" in " ".join(page.split())
    assert len(response.context["stories"]) == 3
