from django.core.exceptions import ValidationError
from django.db import models

from router.pii.pattern_check import id_pattern_problems, own_organisation_problems


class VersionedQuerySet(models.QuerySet):
    """For tables whose rows are compiled into something cached (a classifier, patterns)."""

    def version(self) -> tuple:
        """Changes whenever a row is added, edited or deleted: the cache key of what is built from them."""
        summary = self.aggregate(
            count=models.Count("id"), latest=models.Max("updated_at"), ids=models.Sum("id")
        )
        return (summary["count"], summary["latest"], summary["ids"])


class IntentLabelQuerySet(VersionedQuerySet):
    def training_examples(self, *, out_of_scope_label: str) -> list[tuple[str, str]]:
        """(example, label) pairs of the enabled labels; every out-of-scope label's examples
        train the one out-of-scope class."""
        pairs: list[tuple[str, str]] = []
        for label in self.filter(enabled=True).order_by("name"):
            name = out_of_scope_label if label.is_out_of_scope else label.name
            pairs.extend((example, name) for example in label.example_list())
        return pairs


class IntentLabel(models.Model):
    """An intent the assistant recognises, with the example questions that define it.

    Edited by KB admins; the intent classifier retrains from these rows when they change."""

    name = models.SlugField(max_length=50, unique=True, help_text="machine name, e.g. hr_admin")
    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    examples = models.TextField(help_text="one example question per line, in any language")
    is_out_of_scope = models.BooleanField(
        default=False, help_text="questions like these are outside what the knowledge base can answer"
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IntentLabelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title or self.name

    def example_list(self) -> list[str]:
        return [line.strip() for line in self.examples.splitlines() if line.strip()]


class CompanyIdPattern(models.Model):
    """A format of the company's own identifiers (employee, customer, supplier, contract): every
    value of this shape is masked before anything leaves the machine, in addition to the
    formats in the settings. Edited by admins; detection reads the rows from the next request on."""

    class Kind(models.TextChoices):
        ID = "ID", "employee, customer or supplier ID"
        ACCOUNT = "ACCOUNT", "account or contract number"
        SECRET = "SECRET", "internal key or token (always removed from answers)"

    name = models.CharField(max_length=100, unique=True, help_text="e.g. employee number")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ID)
    regex = models.CharField(
        max_length=300,
        help_text="a Python regular expression for one value, e.g. KX\\d{6}; it never matches inside a longer word",
    )
    example = models.CharField(max_length=100, help_text="a made-up value the pattern must match whole")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = id_pattern_problems(self.regex, self.example)
        if problems:
            raise ValidationError({"regex": problems})


class OwnOrganisation(models.Model):
    """A name of the company itself (or of its subsidiaries): organisations of this name are not
    masked. Customers' and suppliers' names always are."""

    name = models.CharField(max_length=200, unique=True, help_text="e.g. Northwind Robotics, 北风机器人")
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "own organisation name"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = self.name.strip()
        problems = own_organisation_problems(self.name)
        if problems:
            raise ValidationError({"name": problems})


from router.records import BlockedTerm, CloudUsage, GlossaryTerm  # noqa: E402, F401 - the router's other tables
