"""`user|may:"action"`: the one way a template asks township.access whether to show something.

{% load access %}{% if user|may:"review_workbooks" %}…{% endif %}

Each action names a function of township.access that takes the user. An action not in
ACTIONS raises instead of reading as False, so a typo cannot hide a button silently.
"""
from django import template

from township import access

register = template.Library()

# action → name of the township.access function that decides it. Names, not functions: a
# function added to access.py on another branch (can_import_ledgers) is looked up when asked.
ACTIONS = {
    "see_township_dashboard": "sees_township_dashboard",
    "see_personal_data": "sees_personal_data",
    "upload_workbook": "can_upload_workbook",
    "review_workbooks": "can_review_workbooks",
    "read_reports": "can_read_reports",
    "edit_reports": "can_edit_reports",
    "read_county": "can_read_county",
    "import_ledgers": "can_import_ledgers",
    "read_id_number_audit": "can_read_id_number_audit",
    "download_raw_uploads": "downloads_raw_uploads",
}


class UnknownAction(template.TemplateSyntaxError):
    pass


def decide(user, action) -> bool:
    """What township.access says about `user` and `action`; UnknownAction for an action it has no function for."""
    try:
        rule = getattr(access, ACTIONS[action])
    except (KeyError, AttributeError) as exc:
        raise UnknownAction(f"township.access 没有对应“{action}”的规则") from exc
    return bool(rule(user))


@register.filter
def may(user, action):
    """Whether `user` may do `action` (a key of ACTIONS)."""
    return decide(user, action)
