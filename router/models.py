from django.db import models


class IntentLabelQuerySet(models.QuerySet):
    def version(self) -> tuple:
        """Changes whenever a label is added, edited or deleted: the classifier's cache key."""
        summary = self.aggregate(
            count=models.Count("id"), latest=models.Max("updated_at"), ids=models.Sum("id")
        )
        return (summary["count"], summary["latest"], summary["ids"])

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


from router.records import BlockedTerm, CloudUsage, GlossaryTerm  # noqa: E402, F401 - the router's other tables
