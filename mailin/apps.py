from django.apps import AppConfig


class MailinConfig(AppConfig):
    name = "mailin"
    verbose_name = "Email in"

    def ready(self):
        # hosted providers' inbound webhooks (django-anymail) feed the same path as the receiver
        # connects its receivers; it imports models, which apps.py may not at the top
        from mailin import webhooks  # noqa: F401, PLC0415
