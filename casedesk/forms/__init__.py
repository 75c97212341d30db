"""Agency forms without Qt or a database: definitions, expressions, filling, versions, printing, XLSForm.

Public API (import from here):

Definitions (``schema``, ``validation``)
    ``FormDefinition`` (``from_dict`` / ``from_json`` validate; ``to_dict`` / ``to_json``; ``walk()``),
    ``FieldDef``, ``FieldType``, ``Choice``, ``ClientBinding``, ``PrintHints``, ``FormStatus``,
    ``FormDefinitionError`` (``.problems``: list of (path, message)), ``validate_definition``.
Expressions (``expressions``)
    ``parse_expression`` -> ``Expression`` (``.references``, ``.evaluate(env)``), ``references``,
    ``rename_references`` (for renaming a field key in the editor), ``tokenize``,
    ``ExpressionSyntaxError`` (``.offset``), ``FUNCTIONS`` (name -> arity and summary, for help text).
Filling (``engine``)
    ``FillContext`` (client record values, plan goals as ``GoalOption``, today), ``new_response``,
    ``new_repeat_row``, ``evaluate_form`` -> ``FormResult`` (relevance, values, calculations, prefills,
    ``issues``: ``FieldIssue``; ``answers`` to save; ``final_answers`` without non-relevant answers),
    ``can_finalise``, ``format_answer``.
Versions (``versioning``)
    ``publish``, ``next_draft_version``, ``edit_draft`` / ``ensure_editable`` (published versions refuse
    changes), ``migrate_answers`` -> ``Migration(answers, dropped: list[DroppedAnswer])``, ``fingerprint``.
Printing (``printing``)
    ``layout_for(definition, answers=None, context=None, signatures=None)`` ->
    ``casedesk.domain.print_layout.FormPrintLayout``; ``SignatureCapture``.
XLSForm (``xlsform``)
    ``import_xlsform(path | bytes | file)`` -> ``ImportResult(definition, report: tuple[ImportNote])``.
Templates (``templates``)
    ``builtin_templates()``, ``builtin_template(key)``, ``builtin_template_keys()``.
Designer actions (``casedesk.forms.editing``, imported from there)
    ``new_field``, ``insert_field``, ``remove_field``, ``move_field``, ``update_field`` (a new key renames
    references), ``wrap_fields`` / ``unwrap_group``, ``set_form_details``; ``EditError``. Results are not
    validated (a designer passes through invalid states); ``validation.definition_problems`` lists problems.
Stored responses (``casedesk.forms.responses``, imported from there)
    answer paths (``answer_at``, ``with_answer``, ``iter_answers``), ``label_goal_answers``,
    ``response_hash`` (SHA-256 of a finalised response's canonical content).

Answers are a dict keyed by field key (groups are visual only; a repeat group holds a list of row
dicts). Signature fields hold whatever marker the signing code stores (a signature id, "wet", ...);
a required signature keeps a response from being finalised until that marker is present.
"""

from casedesk.forms.engine import (
    FieldIssue,
    FillContext,
    FormResult,
    GoalOption,
    can_finalise,
    evaluate_form,
    format_answer,
    new_repeat_row,
    new_response,
)
from casedesk.forms.expressions import (
    FUNCTIONS,
    Expression,
    ExpressionSyntaxError,
    parse_expression,
    references,
    rename_references,
    tokenize,
)
from casedesk.forms.printing import SignatureCapture, layout_for
from casedesk.forms.schema import (
    Choice,
    ClientBinding,
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    FormStatus,
    PrintHints,
)
from casedesk.forms.templates import builtin_template, builtin_templates
from casedesk.forms.validation import validate_definition
from casedesk.forms.versioning import (
    DroppedAnswer,
    Migration,
    edit_draft,
    ensure_editable,
    fingerprint,
    migrate_answers,
    next_draft_version,
    publish,
)
from casedesk.forms.xlsform import ImportNote, ImportResult, import_xlsform

__all__ = [
    "FUNCTIONS",
    "Choice",
    "ClientBinding",
    "DroppedAnswer",
    "Expression",
    "ExpressionSyntaxError",
    "FieldDef",
    "FieldIssue",
    "FieldType",
    "FillContext",
    "FormDefinition",
    "FormDefinitionError",
    "FormResult",
    "FormStatus",
    "GoalOption",
    "ImportNote",
    "ImportResult",
    "Migration",
    "PrintHints",
    "SignatureCapture",
    "builtin_template",
    "builtin_templates",
    "can_finalise",
    "edit_draft",
    "ensure_editable",
    "evaluate_form",
    "fingerprint",
    "format_answer",
    "import_xlsform",
    "layout_for",
    "migrate_answers",
    "new_repeat_row",
    "new_response",
    "next_draft_version",
    "parse_expression",
    "publish",
    "references",
    "rename_references",
    "tokenize",
    "validate_definition",
]
