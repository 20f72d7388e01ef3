from django import forms
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    """Ubah Profil: what a reporter may change about themselves."""

    full_name = forms.CharField(label=_("Nama"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.RegexField(
        label=_("No. HP"),
        regex=r"^\+?[0-9][0-9 \-]{6,19}$",
        max_length=30,
        required=False,
        error_messages={"invalid": _("Nomor HP hanya berisi angka, spasi, tanda - atau +.")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    instansi = forms.CharField(
        label=_("Instansi / perusahaan"),
        max_length=300,
        required=False,
        help_text=_("K/L/PD dan satuan kerja, atau nama perusahaan dan NPWP bagi Pelaku Usaha."),
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())
