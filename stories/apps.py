from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self):
        from stories.caching import story_saved_or_deleted
        from stories.models import Story, TaggedStory

        # cached list figures (counts, popular topics) are recomputed after any change
        for model in (Story, TaggedStory):
            post_save.connect(story_saved_or_deleted, sender=model, dispatch_uid=f"lists-{model}")
            post_delete.connect(story_saved_or_deleted, sender=model, dispatch_uid=f"lists-{model}")
