from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from .models import Room, slug_validator


class RoomForm(forms.ModelForm):
    slug = forms.CharField(
        max_length=50, required=False, validators=[slug_validator],
        help_text="Optional; derived from the name when empty.",
    )

    class Meta:
        model = Room
        fields = ["name", "slug", "is_private"]
        labels = {"is_private": "Private (members only)"}

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name") or ""
        slug = cleaned.get("slug") or slugify(name)[:50]
        if not slug:
            self.add_error("name", "The name needs at least one letter or digit.")
            return cleaned
        try:
            slug_validator(slug)
        except forms.ValidationError as exc:
            self.add_error("slug", exc)
            return cleaned
        if Room.objects.filter(slug=slug).exists():
            self.add_error("slug", f"A room with the address '{slug}' already exists.")
        cleaned["slug"] = slug
        return cleaned


class MessageForm(forms.Form):
    text = forms.CharField(max_length=2000, strip=True)


class InviteForm(forms.Form):
    username = forms.CharField(max_length=150)

    def clean_username(self):
        username = self.cleaned_data["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(f"No user named '{username}'.")
        self.cleaned_data["user"] = user
        return username
