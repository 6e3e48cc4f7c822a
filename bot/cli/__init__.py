"""The `policybot` command: subcommands, JSON output, evaluation reports."""
