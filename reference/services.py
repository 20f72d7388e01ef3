from django.db import transaction

from reference import seed_data
from reference.models import (
    Application,
    ApplicationGroup,
    ApplicationVersion,
    CannedResponse,
    Category,
    CodeKind,
    Directorate,
    Lpse,
    Priority,
    PriorityRule,
    RatingCategory,
    TicketType,
)

_PRIORITIES = {
    "E": Priority.EMERGENCY,
    "J": Priority.MAJOR,
    "M": Priority.MEDIUM,
    "N": Priority.MINOR,
}
_CODE_KINDS = {
    "": CodeKind.NONE,
    "T": CodeKind.TENDER,
    "NT": CodeKind.NON_TENDER,
    "R": CodeKind.RUP,
    "K": CodeKind.CATALOG,
}


@transaction.atomic
def reference_seed() -> None:
    """Create or refresh the default reference data; safe to run again."""
    directorates = {
        code: Directorate.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in seed_data.DIRECTORATES
    }
    for app_order, (code, name, directorate, versions) in enumerate(seed_data.APPLICATIONS):
        application, _ = Application.objects.update_or_create(
            code=code,
            defaults={"name": name, "directorate": directorates[directorate], "order": app_order},
        )
        for order, version in enumerate(versions):
            ApplicationVersion.objects.update_or_create(
                application=application, name=version, defaults={"order": order}
            )
        for group_order, (group_name, leaves) in enumerate(seed_data.CATEGORIES.get(code, [])):
            group, _ = Category.objects.update_or_create(
                application=application,
                parent=None,
                name=group_name,
                defaults={"is_leaf": False, "order": group_order},
            )
            for leaf_order, (leaf_name, priority, kind, required, blocking) in enumerate(leaves):
                Category.objects.update_or_create(
                    application=application,
                    parent=group,
                    name=leaf_name,
                    defaults={
                        "is_leaf": True,
                        "order": leaf_order,
                        "base_priority": _PRIORITIES[priority],
                        "code_kind": _CODE_KINDS[kind],
                        "code_required": required,
                        "is_blocking": blocking,
                        "is_question": group_name.startswith("Pertanyaan"),
                    },
                )
    for code, name, directorate, app_codes in seed_data.APPLICATION_GROUPS:
        app_group, _ = ApplicationGroup.objects.update_or_create(
            code=code, defaults={"name": name, "directorate": directorates[directorate]}
        )
        app_group.applications.set(Application.objects.filter(code__in=app_codes))
    for app_code, title, body in seed_data.CANNED_RESPONSES:
        CannedResponse.objects.update_or_create(
            title=title,
            defaults={
                "body": body,
                "application": Application.objects.filter(code=app_code).first(),
            },
        )
    for order, (code, name, is_suggestion) in enumerate(seed_data.TICKET_TYPES):
        TicketType.objects.update_or_create(
            code=code, defaults={"name": name, "is_suggestion": is_suggestion, "order": order}
        )
    for kd_lpse, name, province, tz in seed_data.LPSES:
        Lpse.objects.update_or_create(
            kd_lpse=kd_lpse, defaults={"name": name, "province": province, "timezone": tz}
        )
    for order, (name, stars) in enumerate(seed_data.RATING_CATEGORIES):
        RatingCategory.objects.update_or_create(
            name=name, defaults={"stars": stars, "order": order}
        )
    priority_rules_seed()


def priority_rules_seed() -> None:
    """Create the default priority rules that are missing; admin edits are kept.

    A default rule counts as present when a rule of its kind exists (an admin may have
    moved, renamed, re-parametrised or deactivated it).
    """
    for order, kind, name, result, explanation in seed_data.PRIORITY_RULES:
        if PriorityRule.objects.filter(kind=kind).exclude(order=order).exists():
            continue
        if PriorityRule.objects.filter(order=order).exclude(kind=kind).exists():
            # The admin gave this place to another rule: append the default at the end.
            last = PriorityRule.objects.order_by("-order").values_list("order", flat=True)[0]
            order = last + 10
        PriorityRule.objects.update_or_create(
            order=order,
            kind=kind,
            defaults={},
            create_defaults={
                "name": name,
                "result_priority": result,
                "explanation": explanation,
            },
        )
