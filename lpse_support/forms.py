"""The form renderer: Django's templates, with `<select>` and `<input>` drawn in Python.

Django renders every `<option>` through two template includes, and every text box
through three templates; a filter bar with a hundred options and eight text boxes spent
more time there than the rest of the page. The HTML below is exactly what Django's
`select.html`, `select_option.html`, `input.html` (and the templates that only include
it) and `attrs.html` produce (`tests/test_form_renderer.py` compares the two).
"""

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Django's templates that are `{% include "django/forms/widgets/input.html" %}` alone.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text", "email", "number", "hidden", "date", "datetime", "time", "search", "tel",
        "url", "password",
    )
)  # fmt: skip


def _attrs(attrs: dict[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{escape(str(option['label']))}</option>"
    )


def select_html(widget: dict[str, Any]) -> SafeString:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            # The option template ends with a newline, kept by the include.
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def input_html(widget: dict[str, Any]) -> SafeString:
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if (
            template_name == SELECT_TEMPLATE
            and widget is not None
            and all(
                option.get("template_name") == OPTION_TEMPLATE
                for _name, options, _index in widget["optgroups"]
                for option in options
            )
        ):
            return select_html(widget)
        if template_name in INPUT_TEMPLATES and widget is not None:
            return input_html(widget)
        return super().render(template_name, context, request)
