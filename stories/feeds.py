"""Atom feeds: all stories, one kind, one topic. Built from `visible_to(None)`: a feed reader
is an anonymous visitor, so drafts and hidden stories never appear."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from taggit.models import Tag

from stories.models import Story, StoryKind

FEED_SIZE = 30


def absolute(path: str) -> str:
    # SITE_URL, not the sites framework's example.com
    return settings.SITE_URL + path


class StoryFeed(Feed):
    """Base for every story feed; subclasses narrow `stories()`."""

    feed_type = Atom1Feed

    def get_object(self, request, **kwargs):
        return None

    def stories(self, obj):
        return Story.objects.visible_to(None).published()

    def items(self, obj):
        return (
            self.stories(obj)
            .select_related("author")
            .prefetch_related("tags")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def title(self, obj):
        return f"Lessons learned · {settings.SITE_NAME}"

    def subtitle(self, obj):
        return "Success stories, challenges and lessons learned, shared by librarians."

    def link(self, obj):
        return absolute(reverse("stories:list"))

    def feed_url(self, obj):
        return absolute(reverse("stories:feed"))

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.title}"

    def item_description(self, item):
        # Atom says type="html": the member's plain text must arrive as text, not markup
        return escape(item.summary)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return absolute(reverse("stories:detail_short", args=[item.pk]))

    item_guid_is_permalink = False

    def item_author_name(self, item):
        # the byline a visitor would see: names only, never an email address
        return item.author_name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.edited_at or item.published_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class KindFeed(StoryFeed):
    def get_object(self, request, kind):
        if kind not in StoryKind.values:
            raise Http404("No such kind of story.")
        return StoryKind(kind)

    def stories(self, kind):
        return super().stories(kind).of_kind(kind)

    def title(self, kind):
        return f"{kind.label} stories · {settings.SITE_NAME}"

    def link(self, kind):
        return absolute(reverse("stories:list") + f"?kind={kind.value}")

    def feed_url(self, kind):
        return absolute(reverse("stories:feed_kind", args=[kind.value]))


class TagFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def stories(self, tag):
        return super().stories(tag).tagged(tag.slug)

    def title(self, tag):
        return f"Stories about {tag.name} · {settings.SITE_NAME}"

    def link(self, tag):
        return absolute(reverse("stories:list") + f"?tag={tag.slug}")

    def feed_url(self, tag):
        return absolute(reverse("stories:feed_tag", args=[tag.slug]))
