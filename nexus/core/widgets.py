"""Form widgets shared by every app: the Markdown editor around a plain textarea, type-ahead
choosers and star ratings. Each is the plain control without JavaScript."""

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.urls import reverse


@dataclass(frozen=True)
class ToolbarButton:
    action: str
    label: str
    shortcut: str  # as shown in the title; editor.js binds the keys
    keys: str  # aria-keyshortcuts
    glyph: str = ""
    # A 24x24 stroked SVG path, where a character would need an emoji font the reader may lack.
    icon: str = ""


LINK_ICON = (
    "M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71"
    "M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71"
)
ATTACH_ICON = (
    "M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66"
    "l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"
)


TOOLBAR = (
    ToolbarButton("bold", "Bold", "Ctrl+B", "Control+B Meta+B", "B"),
    ToolbarButton("italic", "Italic", "Ctrl+I", "Control+I Meta+I", "I"),
    ToolbarButton("heading", "Heading", "", "", "H"),
    ToolbarButton("link", "Link", "Ctrl+K", "Control+K Meta+K", icon=LINK_ICON),
    ToolbarButton("code", "Inline code", "Ctrl+E", "Control+E Meta+E", "</>"),
    ToolbarButton("codeblock", "Code block", "", "", "{ }"),
    ToolbarButton("quote", "Quote", "", "", "❝"),
    ToolbarButton("bulleted", "Bulleted list", "Ctrl+Shift+8", "Control+Shift+8 Meta+Shift+8", "•"),
    ToolbarButton("numbered", "Numbered list", "Ctrl+Shift+7", "Control+Shift+7 Meta+Shift+7", "№"),
    ToolbarButton("task", "Task list", "", "", "☐"),
)


class MarkdownEditor(forms.Textarea):
    """A textarea that still posts on its own; editor.js adds the toolbar's behaviour, shortcuts,
    the live preview beside it and attachments by drag and drop, paste or the file chooser.

    Core imports no feature app: the preview and upload endpoints are given as URL names.
    """

    template_name = "editor/markdown_editor.html"

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        preview_url: str = "knowledge:preview",
        upload_url: str = "knowledge:attachment_upload",
    ) -> None:
        super().__init__({"rows": 14, "spellcheck": "true", **(attrs or {})})
        self.preview_url = preview_url
        self.upload_url = upload_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["class"] = f"{widget_attrs.get('class', '')} md-input editor-body".strip()
        context["editor"] = {
            "toolbar": TOOLBAR,
            "attach_icon": ATTACH_ICON,
            "preview_url": reverse(self.preview_url),
            "upload_url": reverse(self.upload_url),
        }
        return context


class Chooser(forms.SelectMultiple):
    """A multi-select that forms.js turns into a type-ahead chooser with removable chips; without
    JavaScript it is the plain <select multiple> it renders."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"size": 6, "data-chooser": "", **(attrs or {})})


class FreeChooser(forms.TextInput):
    """Comma-separated free values (tags): forms.js shows them as chips and suggests the
    `suggestions` while typing; without JavaScript it is the text box."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-chooser": "free", "autocomplete": "off", **(attrs or {})})

    def suggest(self, names: list[str]) -> None:
        self.attrs["data-suggestions"] = json.dumps(names)


class StarRating(forms.RadioSelect):
    """A 1-5 score as a radio group drawn as stars (forms.css); arrows move between them as in
    any radio group, and each star is named "3 of 5 stars". The template puts it in a fieldset."""

    template_name = "core/widgets/star_rating.html"
    option_template_name = "core/widgets/star_option.html"
