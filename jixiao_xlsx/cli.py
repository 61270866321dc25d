"""Command line: a thin click layer over :mod:`jixiao_xlsx.api`. Exit 0 ok, 1 errors, 2 usage."""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .book import UnreadableFile
from .output import OutputError
from .profile import ProfileError, load_profile

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

rules_option = click.option(
    "--rules",
    "rules",
    default=None,
    metavar="FILE",
    help="评分规则文件（TOML），默认 national-2020。",
)
debug_option = click.option("--debug", is_flag=True, hidden=True, help="出错时显示Python调用栈（开发用）。")


def _profile(rules):
    try:
        return load_profile(rules)
    except ProfileError as e:
        click.echo(f"评分规则错误：{e}", err=True)
        sys.exit(EXIT_USAGE)


def _fail_unexpected(path, exc, debug):
    """Last line of defence: a clerk sees one Chinese line, never a traceback (unless --debug)."""
    if debug:
        traceback.print_exc()
    click.echo(
        f"{path}：处理时发生内部错误（{type(exc).__name__}），请将此文件发给技术支持人员。", err=True
    )
    sys.exit(EXIT_FINDINGS)


def format_finding(f) -> str:
    where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "-")
    return f"[{f.severity}] {where} {f.code}：{f.message}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def main():
    """项目支出绩效自评表评分工具（jixiao-xlsx）。

    \b
    jixiao template 模板.xlsx        生成空白标准模板
    jixiao check 自评表.xlsx         核查并列出全部问题
    jixiao score 自评表.xlsx         评分并写出评分工作簿
    jixiao batch 文件夹 -o 汇总.xlsx  批量评分并生成汇总表
    """


@main.command()
@click.argument("out", required=False, default="jixiao-template.xlsx", metavar="[OUT.xlsx]")
@debug_option
def template(out, debug):
    """生成空白标准模板工作簿。"""
    from .template import write_template

    try:
        write_template(out)
    except (OutputError, OSError) as e:
        click.echo(f"无法写出模板：{e}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"已生成空白模板：{out}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@rules_option
@click.option("--json", "as_json", is_flag=True, help="以JSON输出结果。")
@debug_option
def check(file, rules, as_json, debug):
    """核查一个自评工作簿，列出全部问题（错误/提示）。"""
    from .api import evaluate_file

    profile = _profile(rules)
    try:
        result = evaluate_file(file, profile)
    except UnreadableFile as e:
        _unreadable(file, e, as_json)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001 - never a traceback for a clerk
        _fail_unexpected(file, e, debug)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_findings(file, result)
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


def _unreadable(file, e, as_json):
    if as_json:
        click.echo(json.dumps({"file": str(file), "error": e.reason}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{file}：{e.reason}", err=True)


def _print_findings(file, result):
    if not result.findings:
        click.echo(f"{file}：未发现问题。")
        return
    click.echo(f"{file}：错误 {result.errors} 项，提示 {result.hints} 项")
    for f in result.findings:
        click.echo(format_finding(f))


def default_scored_path(file) -> Path:
    p = Path(file)
    return p.with_name(f"{p.stem}.scored.xlsx")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", default=None, metavar="OUT.xlsx", help="评分工作簿路径，默认为 <原文件名>.scored.xlsx。")
@rules_option
@click.option("--json", "as_json", is_flag=True, help="把评分结果以JSON输出到标准输出。")
@debug_option
def score(file, out, rules, as_json, debug):
    """评分一个自评工作簿，写出评分工作簿（不修改原文件）。"""
    from .api import evaluate_file, write_scored_file

    profile = _profile(rules)
    out = Path(out) if out else default_scored_path(file)
    try:
        result = evaluate_file(file, profile)
        written = None
        if not result.blocked:
            written = write_scored_file(result, out, profile)
    except UnreadableFile as e:
        _unreadable(file, e, as_json)
        sys.exit(EXIT_FINDINGS)
    except OutputError as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001
        _fail_unexpected(file, e, debug)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_findings(file, result)
        if written:
            total = "—" if result.total is None else f"{result.total:.2f}"
            click.echo(f"总分 {total}，等级 {result.grade or '—'}；评分工作簿：{written}")
        else:
            click.echo("存在无法计算总分的错误，未生成评分工作簿；请按上面的提示修改后重试。", err=True)
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


# -- batch (issue #3) is added below this line ---------------------------------------------------
