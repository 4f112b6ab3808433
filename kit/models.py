from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Now


class ScopeVersion(models.Model):
    """The version of one part of what pages show (kit/scopes.py): moved on, from a
    sequence, after every committed change to it. A scope that never changed has no row and
    reads as version 0; rows are never deleted, so a version is never seen twice."""

    name = models.CharField(max_length=200, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.version}"


class SearchWord(models.Model):
    """One word of what members can find — stories, profiles, groups, meetups, the directory,
    topics — the vocabulary a misspelt query word is corrected against (kit/spelling.py).

    PostgreSQL keeps it (kit/migrations/0004_search_words.py): triggers on those tables add
    the words of every row people can see, at once and in the writing transaction, whatever
    wrote it (a service, the admin, an import); `search_words_rebuild()`, nightly and after
    seeding, recounts `documents` and drops the words nothing shows any more. Whatever changes
    it moves the `spelling` scope on in the same transaction, so kept search pages that
    corrected a word against it are dropped (kit/scopes.py)."""

    word = models.TextField(primary_key=True)
    # how many rows hold it, as of the last rebuild (a word added since counts 1): a rare word
    # that a far more common one is close to is probably a misspelling of it
    documents = models.PositiveIntegerField(db_default=1)
    # in something visitors may see; words only members may see are never offered to visitors
    public = models.BooleanField(db_default=False)
    noted_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="config_searchword_trgm")]

    def __str__(self) -> str:
        return self.word
