from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Organizer


class OrganizerSignupForm(forms.Form):
    """The extra fields of allauth's sign-up form: everyone who signs up is an organizer.
    Officers and administrators are created by an administrator."""

    kind = forms.ChoiceField(label=_("I file notices as"), choices=Organizer.Kind.choices)
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, help_text=_("Kept private: never shown publicly.")
    )
    organization_name = forms.CharField(
        label=_("Organization name"),
        max_length=200,
        required=False,
        help_text=_("Shown publicly with your notices."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False, help_text=_("Kept private."))
    language = forms.ChoiceField(label=_("Language for letters and emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # letters in the language the page is read in, unless the organizer says otherwise
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE)[:2]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Organizer.Kind.ORGANIZATION and not data.get("organization_name", "").strip():
            self.add_error("organization_name", _("An organization needs its name."))
        return data

    def signup(self, request, user):
        Organizer.objects.create(
            user=user,
            kind=self.cleaned_data["kind"],
            full_name=self.cleaned_data["full_name"].strip(),
            organization_name=self.cleaned_data.get("organization_name", "").strip(),
            phone=self.cleaned_data.get("phone", "").strip(),
            language=self.cleaned_data["language"],
        )
