"""Built-in form templates shipped in resources/forms (intake, consent/ROI, contact log, risk, ISP review)."""

from __future__ import annotations

from casedesk.forms.schema import FormDefinition, FormDefinitionError
from casedesk.resources import resource_path

BUILTIN_TEMPLATE_FILES: tuple[str, ...] = (
    "intake_face_sheet.json",
    "consent_release_of_information.json",
    "monthly_contact_log.json",
    "risk_assessment.json",
    "isp_quarterly_review.json",
)


def builtin_template_keys() -> tuple[str, ...]:
    """Form keys of the built-in templates, without reading them (each file is named KEY.json)."""
    return tuple(name.removesuffix(".json") for name in BUILTIN_TEMPLATE_FILES)


def builtin_templates() -> list[FormDefinition]:
    """Every built-in template, parsed and validated (FormDefinitionError names the broken file)."""
    return [_load(name) for name in BUILTIN_TEMPLATE_FILES]


def builtin_template(key: str) -> FormDefinition:
    """One built-in template by form key; KeyError if there is none."""
    for name in BUILTIN_TEMPLATE_FILES:
        if name == f"{key}.json":
            return _load(name)
    raise KeyError(f"no built-in form template '{key}'")


def _load(name: str) -> FormDefinition:
    path = resource_path("forms", name)
    try:
        return FormDefinition.from_json(path.read_bytes())
    except FormDefinitionError as err:
        raise FormDefinitionError(err.problems, f"The built-in form {name} has problems") from None
