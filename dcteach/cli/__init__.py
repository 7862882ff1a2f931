"""The ``dcteach`` command line.

Each verb lives in its own module of this package (``dcteach/cli/VERB.py``,
one a verb, like pip's ``_internal/commands``), which exposes ``add_parser(subparsers)``;
that function adds one sub-parser and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit status) with
``parser.set_defaults(func=...)``. Heavy imports belong inside ``func`` so that
``dcteach --help`` stays fast.

User mistakes (:class:`dcteach.DcteachError`) print one line on stderr and exit
with the error's ``exit_code`` (2 for usage errors); argparse's own usage
errors exit 2 as well. No traceback is shown for them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from dcteach._errors import DcteachError

# Modules that contribute a verb, in the order ``--help`` lists them.
VERB_MODULES = [
    "dcteach.cli.course",
    "dcteach.cli.datasets",
    "dcteach.cli.cite",
    "dcteach.cli.validate",
    "dcteach.cli.extension",
    "dcteach.cli.exercises",
    "dcteach.cli.dashboard",
    "dcteach.cli.hub",
]


def build_parser() -> argparse.ArgumentParser:
    """Return the full ``dcteach`` argument parser."""
    from dcteach import __version__

    parser = argparse.ArgumentParser(
        prog="dcteach",
        description="Digital customs course module and research toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"dcteach {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in VERB_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of ``parser`` and its sub-parsers (``--lang``, ``-h``...)."""
    found = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 1 failure/invalid, 2 usage)."""
    from dcteach.cli._server import join_dash_values

    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(join_dash_values(argv, _option_strings(parser)))
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except DcteachError as exc:
        print(f"dcteach {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dcteach: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `dcteach datasets show x | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
