from django import forms


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Markdown file or .zip",
        help_text="A learning-journal README, any .md document, or a .zip of a docs folder.",
    )
    url = forms.CharField(
        required=False,
        max_length=500,
        label="…or a git repository URL",
        help_text="A public https:// repository, cloned shallowly by a background job.",
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run (show what would happen, write nothing)"
    )
