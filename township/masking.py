"""How personal data (身份证号, phone numbers) looks masked. Who sees it whole is
township.access.sees_personal_data's decision, not this module's."""


def mask_id_number(value: str) -> str:
    """6401**********1234: the first four and last four characters kept."""
    if not value:
        return value
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return value
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_field(name, value):
    """`value` of the field called `name`, masked: phone fields as phones, the rest as 身份证号."""
    return mask_phone(value) if "phone" in name else mask_id_number(value)
