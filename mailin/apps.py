from django.apps import AppConfig


class MailinConfig(AppConfig):
    name = "mailin"
    verbose_name = "Email in"

    def ready(self):
        # hosted providers' inbound webhooks (django-anymail) feed the same path as the receiver
        from mailin import webhooks  # noqa: F401
