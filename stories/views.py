"""Thin views: parse input, call a queryset or a service, render. Who may do what is decided by
`stories.permissions`; nothing changes on GET."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DeleteView, ListView
from taggit.models import Tag

from kit.ids import parse_id
from kit.pagecache import kept_until_change
from kit.scopes import (
    GROUPS,
    MEMBERS,
    STORIES,
    STORIES_DISCUSSED,
    STORIES_HELPFUL,
    story,
    version_of,
)
from kit.spelling import correction_for, searching_shows
from kit.view_helpers import error_text
from kit.vocabularies import LibraryType
from notifications.models import Follow
from stories import services
from stories.caching import StoryPaginator, remembered
from stories.forms import (
    AskForm,
    CoauthorMemberForm,
    CoauthorSearchForm,
    CommentForm,
    ReportForm,
    StoryFilterForm,
    StoryForm,
    resource_lines,
)
from stories.models import HelpfulVote, SavedStory, Story, StoryKind
from stories.permissions import StoryAccessMixin, comment_for, posting_limited, story_for
from stories.querysets import ASK_PER_STORY, SEARCH_POOL, ask_candidates

PAGE_SIZE = 20
POPULAR_TAGS = 30


def popular_tags(limit: int = POPULAR_TAGS) -> list[Tag]:
    """The topics most used on published stories, for filters and suggestions (counted once
    per change to the stories: a scan of every tagging at 100,000 stories)."""
    return remembered(
        f"popular-tags:{limit}",
        lambda: list(
            Tag.objects.filter(
                stories_taggedstory_items__content_object__status="published",
                stories_taggedstory_items__content_object__hidden_at__isnull=True,
            )
            .annotate(uses=Count("stories_taggedstory_items"))
            .order_by("-uses", "name")[:limit]
        ),
    )


# --- reading ------------------------------------------------------------------------------
SORTED_BY = {"helpful": STORIES_HELPFUL, "discussed": STORIES_DISCUSSED}


def list_shows(request, *args, **kwargs) -> list[str]:
    """What a list of stories shows: which stories (in the order asked for), their authors,
    for a search the vocabulary its words were looked up in; each card adds its own story."""
    sort = SORTED_BY.get(request.GET.get("sort", ""))
    return searching_shows(STORIES, MEMBERS, *([sort] if sort else []))(request)


@method_decorator(kept_until_change(shows=list_shows, timeless=True), name="dispatch")
class StoryListView(ListView):
    template_name = "stories/story_list.html"
    context_object_name = "stories"
    paginate_by = PAGE_SIZE
    paginator_class = StoryPaginator
    http_method_names = ["get", "head"]

    typo_fallback = False  # set when nothing matched and titles close to the query are shown
    more_matches = False  # more matches than the ranked pool holds
    exact_found = corrected_found = False  # the pool has word-for-word / corrected matches

    @cached_property
    def filters(self) -> StoryFilterForm:
        filters = StoryFilterForm(self.request.GET or None)
        filters.is_valid()  # invalid values are simply not applied
        return filters

    @cached_property
    def params(self) -> dict:
        return getattr(self.filters, "cleaned_data", {})

    @cached_property
    def text(self) -> str:
        return (self.params.get("q") or "").strip()

    @cached_property
    def correction(self):
        """The search words spelt as the site's vocabulary spells them, or None."""
        return correction_for(self.text, self.request.user) if self.text else None

    @cached_property
    def tag(self) -> Tag | None:
        """The topic filtered on, with whether the viewer follows it."""
        if slug := self.params.get("tag"):
            return (
                Tag.objects.filter(slug=slug)
                .annotate(viewer_follows=Follow.objects.followed_by(self.request.user, Tag))
                .first()
            )
        return None

    def filtered(self):
        user = self.request.user
        p = self.params
        stories = Story.objects.visible_to(user).published()
        if p.get("kind"):
            stories = stories.of_kind(p["kind"])
        if p.get("tag"):
            stories = stories.tagged(p["tag"])
        if p.get("library_type"):
            stories = stories.for_library_type(p["library_type"])
        if p.get("state"):
            stories = stories.in_region(state=p["state"], country="US")
        if p.get("near") and user.is_authenticated:
            stories = stories.near(user)
        if p.get("open"):
            stories = stories.open_challenges()
        return stories

    def get_queryset(self):
        stories = self.filtered()
        sort = self.params.get("sort") or ""
        if self.text:
            # the best of a bounded pool of matches, ranked in one query of (pk, exact) pairs;
            # the cards of one page after
            ranked = stories.best_matches(self.text, self.correction, sort=sort)
            self.more_matches = len(ranked) > SEARCH_POOL
            ranked = ranked[:SEARCH_POOL]
            self.exact_found = any(exact for _pk, exact in ranked)
            self.corrected_found = not all(exact for _pk, exact in ranked)
            return [pk for pk, _exact in ranked]
        return stories.sorted_by(sort or "newest").for_cards()

    def get_paginator(self, queryset, per_page, **kwargs):
        if isinstance(queryset, list):  # ranked search results, counted as they came
            return Paginator(queryset, per_page, **kwargs)
        return super().get_paginator(queryset, per_page, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, objects, is_paginated = super().paginate_queryset(queryset, page_size)
        if not self.text:
            return paginator, page, objects, is_paginated
        if paginator.count == 0:
            # nothing matched word for word: try titles close to a misspelt query
            similar = self.filtered().similar_titles(self.text, self.correction).for_cards()
            self.typo_fallback = True
            return super().paginate_queryset(similar, page_size)
        page.object_list = Story.objects.page_of(
            list(objects), self.text, self.correction
        ).for_cards()
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        filtered_by = any(
            self.params.get(name)
            for name in ("kind", "tag", "library_type", "state", "near", "open")
        )
        popular = popular_tags()
        self.filters.offer_topics(popular, active=self.tag)
        context.update(
            filters=self.filters,
            params=self.params,
            active_tag=self.tag,
            query_string=query.urlencode(),
            typo_fallback=self.typo_fallback,
            more_matches=self.more_matches,
            corrected_text=(self.correction.corrected_text if self.corrected_found else ""),
            exact_found=self.exact_found,
            filtered_by=filtered_by,
            filters_active=filtered_by or bool(self.params.get("sort")),
            popular_tags=popular,
            feeds=self.feeds(),
            near_unavailable=bool(
                self.params.get("near")
                and not getattr(getattr(self.request.user, "profile", None), "state", "")
            ),
        )
        return context

    def feeds(self) -> list[tuple[str, str]]:
        """(title, url) of the Atom feeds that match this page, announced in <head>."""
        feeds = [("All stories", reverse("stories:feed"))]
        if kind := self.params.get("kind"):
            feeds.append(
                (f"{StoryKind(kind).label} stories", reverse("stories:feed_kind", args=[kind]))
            )
        if self.tag:
            feeds.append(
                (
                    f"Stories about {self.tag.name}",
                    reverse("stories:feed_tag", args=[self.tag.slug]),
                )
            )
        return feeds


def _detail_context(request, story: Story, *, comment_form: CommentForm | None = None) -> dict:
    user = request.user
    is_editor = story.is_editor(user)
    member = user if user.is_authenticated else None
    return {
        "story": story,
        "sections": story.sections(),
        "resources": resource_lines(story.resources),
        "comments": story.comments.thread(),
        "comment_form": comment_form or CommentForm(),
        "is_editor": is_editor,
        "helped": _viewer_flag(story, "helped_by_viewer", member and story.helpful_votes, member),
        "saved": _viewer_flag(story, "saved_by_viewer", member and story.saves, member),
        "related": (
            Story.objects.visible_to(user).published().related_to(story)
            if story.is_published
            else []
        ),
        "can_ask": is_editor and story.is_published and story.is_open_challenge,
        "feeds": [("All stories", reverse("stories:feed"))],
    }


def _viewer_flag(story: Story, annotation: str, related, member) -> bool:
    """Whether the viewer voted/saved: annotated on the detail query, else asked once."""
    if not member:
        return False
    flag = getattr(story, annotation, None)
    return flag if flag is not None else related.filter(member=member).exists()


def _story_with_details(user, pk: int) -> Story:
    # the story with its author card, pinned answer and the viewer's vote and save, then one
    # query each for tags, co-authors and the author's topics, however many there are
    queryset = Story.objects.select_related(
        "author__profile",
        "solved_answer__author__profile",
        "discussed_at__meetup__group",
        # taggit's managers, which the plugin cannot follow as relations
    ).prefetch_related("tags", "author__profile__can_help_with")  # type: ignore[misc]
    # read with the story: its discussion is kept under it (kit/fragments.py)
    queryset = queryset.annotate(scope_version=version_of("story"))
    if user.is_authenticated:
        queryset = queryset.annotate(
            helped_by_viewer=Exists(HelpfulVote.objects.filter(story=OuterRef("pk"), member=user)),
            saved_by_viewer=Exists(SavedStory.objects.filter(story=OuterRef("pk"), member=user)),
        )
    return story_for(user, pk, queryset=queryset)


def detail_shows(request, pk: int, slug: str | None = None) -> list[str]:
    """The story, its authors' and commenters' names, the meetup it was discussed at, and
    related stories (chosen among every story)."""
    return [story(pk), STORIES, MEMBERS, GROUPS]


@require_safe
@kept_until_change(shows=detail_shows, timeless=True)
def story_detail(request, pk: int, slug: str | None = None):
    story = _story_with_details(request.user, pk)
    if slug != story.slug:
        # old or missing slug (the title changed): one permanent address per story
        return HttpResponsePermanentRedirect(story.get_absolute_url())
    return render(request, "stories/story_detail.html", _detail_context(request, story))


# --- writing ------------------------------------------------------------------------------
def _story_form_page(request, form, *, story=None, preview=None, status=200):
    """Create and edit share one template: Preview shows what was typed without saving it;
    errors and rate limits show everything that was typed again."""
    return render(
        request,
        "stories/story_form.html",
        {"form": form, "story": story, "preview": preview, "suggested_tags": popular_tags(20)},
        status=status,
    )


def _preview_of(form) -> dict:
    data = form.cleaned_data
    labels = dict(LibraryType.choices)
    preview = Story(
        **{
            field: data.get(field, "")
            for field in (
                "kind",
                "title",
                "summary",
                "situation",
                "what_we_did",
                "results",
                "do_differently",
            )
        }
    )
    return {
        "story": preview,
        "sections": preview.sections(),
        "resources": resource_lines(data.get("resources", "")),
        "tags": data.get("tags", []),
        "library_types": [labels[value] for value in data.get("library_types", [])],
    }


@require_http_methods(["GET", "POST"])
@login_required
def story_create(request):
    if request.method == "GET":
        kind = request.GET.get("kind")
        initial = {"kind": kind if kind in StoryKind.values else StoryKind.SUCCESS}
        if occurrence := parse_id(request.GET.get("occurrence")):
            initial["discussed_at"] = occurrence  # "write up the takeaways" from a meetup
        if profile := getattr(request.user, "profile", None):
            # region and library type default to the author's own
            initial.update(
                country=profile.country,
                state=profile.state,
                library_types=[profile.library_type] if profile.library_type else [],
            )
        return _story_form_page(request, StoryForm(initial=initial))

    action = request.POST.get("action", "")
    form = StoryForm(request.POST, publishing=action == "publish")
    if not form.is_valid():
        return _story_form_page(request, form)
    if action == "preview":
        return _story_form_page(request, form, preview=_preview_of(form))
    if limited := posting_limited(request.user, "story"):
        form.add_error(None, limited)
        return _story_form_page(request, form, status=429)
    data = {field: value for field, value in form.cleaned_data.items() if field != "tags"}
    story = services.story_create(
        author=request.user,
        data=data,
        tags=form.cleaned_data["tags"],
        publish=action == "publish",
    )
    if story.is_published:
        messages.success(request, "Your story is published. Thank you for sharing it.")
    else:
        messages.success(request, "Draft saved. Only you and your co-authors can see it.")
    return redirect(story)


@require_http_methods(["GET", "POST"])
@login_required
def story_update(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    if request.method == "GET":
        return _story_form_page(request, StoryForm(instance=story), story=story)

    action = request.POST.get("action", "")
    publishing = action == "publish" or story.is_published
    form = StoryForm(request.POST, instance=story, publishing=publishing)
    if not form.is_valid():
        return _story_form_page(request, form, story=story)
    if action == "preview":
        return _story_form_page(request, form, story=story, preview=_preview_of(form))
    data = {field: value for field, value in form.cleaned_data.items() if field != "tags"}
    story = services.story_update(
        story=story, by=request.user, data=data, tags=form.cleaned_data["tags"]
    )
    if action == "publish" and not story.is_published:
        story = services.story_publish(story=story, by=request.user)
        messages.success(request, "Your story is published. Thank you for sharing it.")
    else:
        messages.success(request, "Your changes are saved.")
    return redirect(story)


class StoryDeleteView(StoryAccessMixin, DeleteView):
    edit = True
    template_name = "stories/story_confirm_delete.html"
    context_object_name = "story"

    def form_valid(self, form):
        services.story_delete(story=self.object, by=self.request.user)
        messages.success(self.request, f"“{self.object.title}” is deleted.")
        return redirect("stories:mine")


@require_POST
@login_required
def story_publish(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    missing = [
        label
        for field, label in (("summary", "a summary"), ("situation", "the situation"))
        if not getattr(story, field).strip()
    ]
    if missing:
        messages.error(request, f"Add {' and '.join(missing)} before publishing.")
        return redirect("stories:update", pk=story.pk)
    services.story_publish(story=story, by=request.user)
    messages.success(request, "Your story is published. Thank you for sharing it.")
    return redirect(story)


# --- discussing ---------------------------------------------------------------------------
@require_POST
@login_required
def comment_create(request, pk: int):
    story = _story_with_details(request.user, pk)
    if not story.is_published or story.is_hidden:
        raise PermissionDenied("This story is not open for discussion.")
    form = CommentForm(request.POST)
    status = 200
    if form.is_valid():
        if limited := posting_limited(request.user, "comment"):
            form.add_error(None, limited)
            status = 429
        else:
            comment = services.comment_create(
                story=story, author=request.user, body=form.cleaned_data["body"]
            )
            messages.success(request, "Your comment is posted.")
            return redirect(comment.get_absolute_url())
    context = _detail_context(request, story, comment_form=form)
    return render(request, "stories/story_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def comment_update(request, pk: int):
    comment = comment_for(request.user, pk, own=True)
    if comment.is_hidden:
        raise PermissionDenied("A moderator hid this comment; it can’t be edited.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.comment_update(comment=comment, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your comment is updated.")
        return redirect(comment.get_absolute_url())
    return render(request, "stories/comment_form.html", {"form": form, "comment": comment})


@require_http_methods(["GET", "POST"])
@login_required
def comment_delete(request, pk: int):
    comment = comment_for(request.user, pk, own=True)
    if request.method == "POST":
        story = comment.story
        services.comment_delete(comment=comment, by=request.user)
        messages.success(request, "Your comment is deleted.")
        return redirect(story)
    return render(request, "stories/comment_confirm_delete.html", {"comment": comment})


@require_POST
@login_required
def answer_mark(request, pk: int):
    comment = comment_for(request.user, pk)
    story_for(request.user, comment.story_id, edit=True)
    try:
        services.answer_mark(comment=comment, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(comment.get_absolute_url())
    messages.success(request, "Marked as what worked: your challenge shows as solved.")
    return redirect(comment.story)


@require_POST
@login_required
def answer_unmark(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    services.answer_unmark(story=story, by=request.user)
    messages.success(request, "The challenge is open again.")
    return redirect(story)


@require_POST
@login_required
def helpful_toggle(request, pk: int):
    story = story_for(request.user, pk)
    try:
        helped = services.helpful_toggle(story=story, member=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(story)
    if helped:
        messages.success(request, "Thank you: the authors will see that this helped.")
    else:
        messages.success(request, "You no longer count this story as helpful.")
    return redirect(story.get_absolute_url() + "#story-actions")


@require_POST
@login_required
def save_toggle(request, pk: int):
    story = story_for(request.user, pk)
    saved = services.save_toggle(story=story, member=request.user)
    messages.success(
        request, "Saved to your list." if saved else "Removed from your saved stories."
    )
    return redirect(story.get_absolute_url() + "#story-actions")


class SavedListView(LoginRequiredMixin, ListView):
    template_name = "stories/saved_list.html"
    context_object_name = "stories"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            Story.objects.visible_to(self.request.user)
            .filter(saves__member=self.request.user)
            .order_by("-saves__created_at")
            .for_cards()
        )


class MyStoriesView(LoginRequiredMixin, ListView):
    template_name = "stories/my_stories.html"
    context_object_name = "stories"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            Story.objects.editable_by(self.request.user)
            .order_by("status", "-created_at")
            .for_cards()
        )


# --- moderation: reports ------------------------------------------------------------------
def _report(request, *, story=None, comment=None):
    form = ReportForm(request.POST or None)
    target = story or comment
    back = target.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        if limited := posting_limited(request.user, "report"):
            form.add_error(None, limited)
        else:
            _, created = services.report_create(
                reporter=request.user,
                story=story,
                comment=comment,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
            messages.success(
                request,
                "Thank you. Moderators will look at it."
                if created
                else "You have already reported this; moderators will look at it.",
            )
            return redirect(back)
    return render(
        request,
        "stories/report_form.html",
        {"form": form, "story": story, "comment": comment, "back": back},
    )


@require_http_methods(["GET", "POST"])
@login_required
def story_report(request, pk: int):
    return _report(request, story=story_for(request.user, pk))


@require_http_methods(["GET", "POST"])
@login_required
def comment_report(request, pk: int):
    return _report(request, comment=comment_for(request.user, pk))


# --- ask a colleague ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@login_required
def colleagues_ask(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    if not (story.is_published and story.is_open_challenge and not story.is_hidden):
        messages.error(request, "You can ask colleagues about an open, published challenge.")
        return redirect(story)
    candidates = list(ask_candidates(story))
    remaining = max(ASK_PER_STORY - story.ask_requests.count(), 0)
    form = AskForm(request.POST or None, candidates=candidates, remaining=remaining)
    if request.method == "POST" and form.is_valid():
        try:
            asks = services.colleagues_ask(
                story=story,
                by=request.user,
                recipients=form.cleaned_data["recipients"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(str(ask.recipient) for ask in asks)
            messages.success(request, f"We asked {names} to take a look.")
            return redirect(story)
    return render(
        request,
        "stories/ask_colleagues.html",
        {
            "story": story,
            "form": form,
            "candidates": candidates,
            "remaining": remaining,
            "asked": story.ask_requests.select_related("recipient").order_by("created_at"),
        },
    )


# --- co-authors ---------------------------------------------------------------------------
@require_safe
@login_required
def coauthors(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    search = CoauthorSearchForm(request.GET or None)
    results, corrected_text = [], ""
    if search.is_valid():
        text = search.cleaned_data["q"]
        already = [story.author_id, *[c.pk for c in story.coauthors.all()]]
        results = _members_named(text, excluding=already)
        if not results and (correction := correction_for(text, request.user)).changed:
            # a misspelt name: the names the vocabulary holds closest to it
            results = _members_named(correction.corrected_text, excluding=already)
            corrected_text = correction.corrected_text if results else ""
    return render(
        request,
        "stories/coauthors.html",
        {
            "story": story,
            "search": search,
            "results": results,
            "corrected_text": corrected_text,
            "can_manage": story.can_manage_coauthors(request.user),
        },
    )


def _members_named(text: str, *, excluding: list[int | None]) -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, display_name__icontains=text)
        .exclude(profile__visibility="hidden")
        .exclude(pk__in=excluding)
        .select_related("profile")
        .order_by("display_name", "pk")[:10]
    )


@require_POST
@login_required
def coauthor_add(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    User = get_user_model()
    member_pk = CoauthorMemberForm(request.POST).member_pk()
    member = get_object_or_404(User, pk=member_pk, is_active=True)
    try:
        services.coauthor_add(story=story, member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"{member} can now edit this story with you.")
    return redirect("stories:coauthors", pk=story.pk)


@require_POST
@login_required
def coauthor_remove(request, pk: int):
    story = story_for(request.user, pk, edit=True)
    User = get_user_model()
    member = get_object_or_404(User, pk=CoauthorMemberForm(request.POST).member_pk())
    services.coauthor_remove(story=story, member=member, by=request.user)
    if member.pk == request.user.pk:
        messages.success(request, "You are no longer a co-author of this story.")
        return redirect("stories:mine")
    messages.success(request, f"{member} is no longer a co-author.")
    return redirect("stories:coauthors", pk=story.pk)
