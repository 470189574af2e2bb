"""Usage errors of the command line as one line on stderr, exit 2 (results-v1.md "Commands").

click and typer print a usage error as a framed block (usage line, hint, boxed message).
:class:`OneLineUsage` is the command group of ``prrt-rwe``: any usage error — a missing or
unknown option, a bad value, a path that does not exist — becomes

    prrt-rwe analyze: error: Invalid value for '--out': ... (see prrt-rwe analyze --help)

and exit status 2; other click errors keep their own status, also on one line. ``prrt-rwe``
alone still prints the help (exit 2, as click does). ^C prints ``interrupted`` (exit 130).

An unexpected exception (a bug) is one line too, exit 3: its type and where it was raised,
never its message or the traceback's local variables (they can hold patient data);
``PRRT_RWE_DEBUG=1`` shows the traceback (typer's, without locals).
"""

from __future__ import annotations

import os
import sys
import traceback

import click
from typer.core import TyperGroup

_NO_ARGS = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2
INTERNAL_ERROR = 3
INTERRUPTED = 130  # typer turns KeyboardInterrupt into Exit(130), silently
DEBUG_VARIABLE = "PRRT_RWE_DEBUG"


def one_line(message: str) -> str:
    return " ".join(message.split())


class OneLineUsage(TyperGroup):
    """The ``prrt-rwe`` group: runs non-standalone and formats click errors itself."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except _NO_ARGS as exc:  # the help (typer's rich formatter has printed it already)
            if exc.format_message().strip():
                click.echo(exc.format_message(), err=True)
            code = exc.exit_code
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else (prog_name or "prrt-rwe")
            click.echo(f"{command}: error: {one_line(exc.format_message())} (see {command} --help)",
                       err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            click.echo(f"{prog_name or 'prrt-rwe'}: error: {one_line(exc.format_message())}", err=True)
            code = exc.exit_code
        except click.Abort:
            click.echo("aborted", err=True)
            code = 1
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0"):
                raise
            argv = sys.argv[1:] if args is None else list(args)
            command = (prog_name or "prrt-rwe") + (f" {argv[0]}" if argv and not str(argv[0]).startswith("-") else "")
            click.echo(internal_error_line(command, exc), err=True)
            code = INTERNAL_ERROR
        if code == INTERRUPTED:
            click.echo("interrupted", err=True)
        if not standalone_mode:
            return code
        sys.exit(code)


def internal_error_line(command: str, exc: BaseException) -> str:
    """One line for a bug: the exception type and the innermost prrt_rwe frame, no message."""
    marker = f"{os.sep}prrt_rwe{os.sep}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if marker in f.filename] or frames
    where = ""
    if ours:
        frame = ours[-1]
        path = frame.filename[frame.filename.rfind(marker) + 1:] if marker in frame.filename \
            else os.path.basename(frame.filename)
        where = f" at {path}:{frame.lineno} in {frame.name}"
    return (f"{command}: internal error: {type(exc).__name__}{where} (a bug; its message is not shown, "
            f"it may hold data: rerun with {DEBUG_VARIABLE}=1 for the traceback)")


def usage_error(message: str) -> click.UsageError:
    """A usage error raised from inside a command (same one-line form, exit 2)."""
    return click.UsageError(message, ctx=click.get_current_context(silent=True))
