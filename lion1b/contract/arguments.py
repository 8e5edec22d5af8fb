"""Command-line style shared by every lion1b command: dashes (``--seq-len``), with the underscore spelling of
each flag (``--seq_len``, as the original README wrote some of them) accepted as a hidden alias."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from lion1b.contract.console import die
from lion1b.contract.records import SPLITS


class _HideAliases(argparse.RawDescriptionHelpFormatter):
    def _format_action_invocation(self, action: argparse.Action) -> str:
        shown = [s for s in action.option_strings if not getattr(action, "_alias_" + s, False)]
        if not shown or len(shown) == len(action.option_strings):
            return super()._format_action_invocation(action)
        original = action.option_strings
        action.option_strings = shown
        try:
            return super()._format_action_invocation(action)
        finally:
            action.option_strings = original


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one flag style: every ``--a-b`` flag also answers to ``--a_b``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HideAliases)
        kwargs.setdefault("allow_abbrev", False)  # an abbreviation that becomes ambiguous later breaks scripts
        super().__init__(*args, **kwargs)

    def _add_underscore_aliases(self) -> None:
        for action in self._actions:
            for option in list(action.option_strings):
                if not option.startswith("--") or "-" not in option[2:]:
                    continue
                alias = "--" + option[2:].replace("-", "_")
                if alias not in self._option_string_actions:
                    action.option_strings.append(alias)
                    setattr(action, "_alias_" + alias, True)
                    self._option_string_actions[alias] = action

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        self._add_underscore_aliases()
        return super().parse_known_args(args, namespace)


def add_common_arguments(parser: argparse.ArgumentParser, *, records_input: bool = True, output: bool = True,
                         threads_help: str = "worker processes for CPU-bound work") -> None:
    """The flags every stage shares; a stage adds its own beside them. ``records_input=False`` is for
    stages whose input is not JSON Lines records (seed URLs, .seq files)."""
    group = parser.add_argument_group("stage contract")
    if records_input:
        group.add_argument("--input", required=True, help="input file or glob (JSON Lines; .gz/.zst by extension)")
    if output:
        group.add_argument("--output", help="output file (default: the stage's per-part file in data/)")
    group.add_argument("--part-id", type=int, default=0, help="which part this process handles (0-based)")
    group.add_argument("--num-parts", type=int, default=1, help="how many parts the data is split into")
    if records_input:
        group.add_argument("--split", choices=SPLITS, default="auto",
                           help="file: the input is this part's own file; records: every num-parts-th record of "
                                "the input; bytes: a contiguous 1/num-parts of the input's bytes (balanced parts "
                                "from unbalanced files); auto: 'file' when the single input's name carries the "
                                "part id (e.g. _thread3.), else 'records'")
        group.add_argument("--strict", action="store_true", help="a malformed input line is an error, not a skip")
    group.add_argument("--threads", type=int, default=1, help=threads_help)
    group.add_argument("--force", action="store_true", help="run even if a valid completion marker exists")
    verbosity = group.add_mutually_exclusive_group()
    verbosity.add_argument("--quiet", action="store_true", help="no progress, only the summary line")
    verbosity.add_argument("--verbose", action="store_true", help="report every problem, not only the first ones")


def check_common_arguments(args: argparse.Namespace) -> None:
    """Reject impossible part settings with a message instead of silently processing the wrong data."""
    if args.num_parts < 1:
        die(f"--num-parts must be at least 1 (got {args.num_parts})")
    if not 0 <= args.part_id < args.num_parts:
        die(f"--part-id must be in 0..{args.num_parts - 1} for --num-parts {args.num_parts} (got {args.part_id})")
    if args.threads < 1:
        die(f"--threads must be at least 1 (got {args.threads})")


def check_non_negative(args: argparse.Namespace, *names: str) -> None:
    """A clear error for a negative count, size or duration (``--max-pages -1`` would silently do nothing)."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 0:
            die(f"--{name.replace('_', '-')} must not be negative (got {value})")
