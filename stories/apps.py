from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save

from stories.caching import story_saved_or_deleted
from stories.querysets import typo_threshold_set


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        connection_created.connect(typo_threshold_set, dispatch_uid="stories_typo_threshold")
        # cached list figures (counts, popular topics) are recomputed after any change
        for model in (self.get_model("Story"), self.get_model("TaggedStory")):
            post_save.connect(story_saved_or_deleted, sender=model, dispatch_uid=f"lists-{model}")
            post_delete.connect(story_saved_or_deleted, sender=model, dispatch_uid=f"lists-{model}")
