from django.contrib.postgres.operations import (
    BtreeGinExtension,
    CITextExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations


class Migration(migrations.Migration):
    """Extensions every app relies on: trigram similarity, accent folding, case-insensitive text."""

    initial = True
    dependencies = []
    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        CITextExtension(),
        BtreeGinExtension(),
    ]
