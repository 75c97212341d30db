"""Command-line commands. Each module registers its sub-commands; names are a contract with agency IT."""

COMMAND_MODULES = (
    "casedesk.cli.profile_cmds",
    "casedesk.cli.demo_cmd",
    "casedesk.cli.records_cmds",
    "casedesk.cli.backup_cmds",
    "casedesk.cli.sync_cmds",
    "casedesk.cli.forms_cmds",
    "casedesk.cli.report_cmds",
    "casedesk.cli.calendar_cmds",
)
