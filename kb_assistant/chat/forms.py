from django import forms
from django.utils.translation import gettext_lazy as _

from kb_assistant.chat.services import QUESTION_MAX_CHARS, RATINGS


class QuestionForm(forms.Form):
    question = forms.CharField(max_length=QUESTION_MAX_CHARS, strip=True)


class StopForm(forms.Form):
    request_id = forms.CharField(max_length=32)
    shown = forms.CharField(required=False, strip=False)  # the answer's text as the page showed it


class RenameForm(forms.Form):
    title = forms.CharField(max_length=120, strip=True, label=_("Title"))


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(r, r) for r in RATINGS], coerce=int)
    comment = forms.CharField(max_length=2000, required=False, strip=True)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True, initial="default", label=_("Token name"))
