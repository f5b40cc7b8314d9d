from django import forms

from .models import PreferencesCourriel


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = PreferencesCourriel
        fields = ("suivi", "decisions", "rappels_anticipes")
