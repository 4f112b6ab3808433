from django.apps import AppConfig

from notifications.followables import followable_register


class CooperativesConfig(AppConfig):
    name = "cooperatives"
    verbose_name = "Directory"

    def ready(self):
        Organisation = self.get_model("Organisation")
        followable_register("organisation", Organisation, Organisation.objects.visible_to)
