"""How ``qcaudit COMMAND --help`` looks: plain text in the classic form.

Typer's plain help (no Rich markup, so that ``[gate]`` stays a TOML table name) writes a
required argument as ``{DATA}`` and a value placeholder as ``<str>``, and lists every option
in one block. :class:`HelpCommand` writes the usage line as ``qcaudit report [OPTIONS] DATA``,
names each option's value (``--text-column COLUMN``, ``--batch-rows INTEGER``), and groups
the options by their ``rich_help_panel``: the command's own first, then input, text and run
settings, then each analyzer's flags under its name.
"""

from __future__ import annotations

from typing import Any

import typer.core

#: An option's placeholder when it names none, by typer's description of its type.
PLACEHOLDERS = {"<str>": "TEXT", "<path>": "PATH", "<int>": "INTEGER", "<float>": "NUMBER", "<list[str]>": "TEXT"}


class HelpCommand(typer.core.TyperCommand):
    """A command whose help is plain, conventional and grouped (see the module's docstring)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(_argument_usage(param))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                sections.setdefault("Arguments", []).append((_argument_usage(param), getattr(param, "help", None) or ""))
                continue
            _name_placeholder(param, ctx)
            record = param.get_help_record(ctx)
            if record is not None:
                sections.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append(record)
        ordered = ["Arguments", "Options", *(title for title in sections if title not in ("Arguments", "Options"))]
        for title in ordered:
            if title in sections:
                with formatter.section(title):
                    formatter.write_dl(sections[title])


def _argument_usage(param: Any) -> str:
    name = param.metavar or (param.name or "").upper()
    name = name if param.required else f"[{name}]"
    return f"{name}..." if param.nargs != 1 else name


def _name_placeholder(param: Any, ctx: Any) -> None:
    """Give a valued option without a metavar the conventional name of its kind of value."""
    if param.metavar is None and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
        shown = param.display_type(ctx) if hasattr(param, "display_type") else None
        param.metavar = PLACEHOLDERS.get(shown or "", "VALUE")
