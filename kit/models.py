from django.db import models


class ScopeVersion(models.Model):
    """The version of one part of what pages show (kit/scopes.py): moved on, from a
    sequence, after every committed change to it. A scope that never changed has no row and
    reads as version 0; rows are never deleted, so a version is never seen twice."""

    name = models.CharField(max_length=200, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.version}"
