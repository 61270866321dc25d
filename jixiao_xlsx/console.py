"""Terminal plumbing for the command line: click speaking Chinese (usage errors, help), output that
never fails on a file name, JSON text, the progress bar and the streamed ``--json`` of a batch.
Kept apart from :mod:`jixiao_xlsx.cli`, which holds the commands themselves."""
from __future__ import annotations

import json
import sys

import click

EXIT_OK, EXIT_USAGE = 0, 2


# -- click in Chinese ---------------------------------------------------------------------------
# click prints its usage errors and --help boilerplate in English; a clerk gets one Chinese line.


def _param_name(param) -> str:
    if param is None:
        return "参数"
    names = {"file": "FILE（要处理的工作簿）", "inputs": "INPUT（工作簿或文件夹）", "out": "-o（输出文件）"}
    return names.get(param.name or "", param.get_error_hint(None) if hasattr(param, "get_error_hint") else param.name)


def usage_message(e: click.UsageError) -> str:
    """One Chinese line for a click usage error, with the command to get help."""
    from click.exceptions import BadParameter, MissingParameter, NoSuchOption

    if isinstance(e, MissingParameter):
        what = f"缺少{_param_name(e.param)}"
    elif isinstance(e, NoSuchOption):
        what = f"没有选项 {e.option_name}"
        if e.possibilities:
            what += f"（是否想输入 {'、'.join(sorted(e.possibilities))}？）"
    elif isinstance(e, BadParameter):
        msg = e.message.rstrip(".。")
        if "does not exist" in msg:
            msg = "找不到该文件或文件夹"
        elif "is a directory" in msg:
            msg = "这是一个文件夹，这里需要一个文件"
        elif "is a file" in msg:
            msg = "这是一个文件，这里需要一个文件夹"
        elif "not in the range" in msg or "not a valid integer" in msg:
            msg = "请填写不小于1的整数，如 -j 2"
        what = f"{_param_name(e.param)} 的值无效：{msg}"
    elif e.message.startswith("No such command"):
        names = "、".join(sorted(e.ctx.command.list_commands(e.ctx))) if e.ctx else ""
        what = f"没有这个命令；可用的命令有 {names}" if names else "没有这个命令"
    else:
        what = e.message.rstrip(".。")
    cmd = e.ctx.command_path if e.ctx else "jixiao"
    return f"用法错误：{what}。运行 {cmd} --help 查看用法。"


def _zh_help(option):
    if option is not None:
        option.help = "显示本帮助并退出。"
    return option


class ZhCommand(click.Command):
    def get_help_option(self, ctx):
        return _zh_help(super().get_help_option(ctx))


class ZhGroup(click.Group):
    """A group whose usage errors and help option speak Chinese."""

    command_class = ZhCommand

    def get_help_option(self, ctx):
        return _zh_help(super().get_help_option(ctx))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        safe_streams()
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False,
                              **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            click.echo(e.ctx.get_help())
            sys.exit(EXIT_OK)
        except click.UsageError as e:
            click.echo(usage_message(e), err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            click.echo("已中断。", err=True)
            sys.exit(130)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else EXIT_OK)
        return rv


def safe_streams() -> None:
    """Printing a file name must never raise: on Linux a name that is not UTF-8 (GBK, from a zip made
    on Windows) is held as lone surrogates; a UTF-8 terminal or pipe gets its bytes as they are, as
    ``ls`` shows them, any other encoding a replacement character."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) != "strict" or not hasattr(stream, "reconfigure"):
            continue
        utf8 = (getattr(stream, "encoding", "") or "").replace("-", "").lower() == "utf8"
        try:
            stream.reconfigure(errors="surrogateescape" if utf8 else "replace")
        except (ValueError, OSError):  # a stream that cannot be reconfigured: leave it as it is
            pass


def json_text(obj, indent: int = 2) -> str:
    """JSON text of ``obj``: Chinese as is; a file name that is not UTF-8 as \\udcXX escapes, which
    ``json.loads`` turns back into the same path (raw bytes would make the JSON invalid)."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, indent=indent)
    return text


class NoBar:
    """What the batch calls on a progress bar, doing nothing (stderr is not a terminal)."""

    def update(self, n=1):
        pass

    def set_description(self, text):
        pass

    def close(self):
        pass


def progress_bar(total):
    """tqdm on stderr: files done / total, rate, time left; silent when stderr is not a terminal
    (tqdm's own ``disable=None`` rule, checked first so that a script or a pipe does not import it)."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is None or not isatty():
        return NoBar()
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, disable=None, unit="个", desc="评分", dynamic_ncols=True, leave=False)


class JsonStream:
    """``{"files": [...], "totals": {...}}`` written entry by entry, so --json does not hold the batch."""

    def __init__(self):
        self.n = 0
        click.echo('{\n  "files": [', nl=False)

    def entry(self, obj):
        text = json_text(obj).replace("\n", "\n    ")
        click.echo(("," if self.n else "") + "\n    " + text, nl=False)
        self.n += 1

    def finish(self, totals):
        text = json_text(totals).replace("\n", "\n  ")
        click.echo(f'\n  ],\n  "totals": {text}\n}}')
