from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """One employee's thread of questions. Only its owner ever sees it.

    `placeholder_map` keeps the conversation's pseudonyms (router.protect.PlaceholderMap)
    so a person is the same placeholder in every turn; it stays in this database and is
    never sent anywhere.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=120, blank=True)
    placeholder_map = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"


class Role(models.TextChoices):
    USER = "user"
    ASSISTANT = "assistant"


class Message(models.Model):
    """A question or an answer. An answer keeps what the page needs to show it again
    (`meta`: citations, route card, notices, error, stopped) and the pipeline's
    `request_id`, which ties it to its audit record and its feedback."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField(blank=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    route = models.CharField(max_length=10, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    rating = models.SmallIntegerField(null=True, blank=True, help_text="+1 or -1 once the user rated it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [  # a Stop and the end of the stream may both save an answer: it is one
            models.UniqueConstraint(
                fields=["request_id"], condition=~models.Q(request_id=""), name="one_answer_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:40]}"
