"""Command line: a thin click layer over :mod:`jixiao_xlsx.api`. Exit 0 ok, 1 errors, 2 usage."""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Optional

import click

from . import __version__
from .read.book import UnreadableFile
from .write.output import OutputError, why_not_written
from .rules.profile import ProfileError, load_profile
from .console import JsonStream as _JsonStream
from .console import NoBar as _NoBar
from .console import ZhGroup, json_text as _json, progress_bar as _progress_bar
from .console import usage_message  # noqa: F401 - usage_message: public, tested

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_PRINTED_FINDINGS = 200  # a sheet of junk rows can yield thousands; the first ones say what to fix

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


def _fail_unexpected(path, exc, debug, reason=None):
    """Last line of defence: a clerk sees one Chinese line, never a traceback (unless --debug)."""
    if debug:
        traceback.print_exc()
    from .batch import INTERNAL_ERROR

    click.echo(f"{path}：" + (reason or INTERNAL_ERROR.format(name=type(exc).__name__)), err=True)
    sys.exit(EXIT_FINDINGS)


def format_finding(f) -> str:
    where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "-")
    return f"[{f.severity}] {where} {f.code}：{f.message}"


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao", message="%(prog)s 版本 %(version)s", help="显示版本并退出。")
def main():
    """项目支出绩效自评表评分工具（jixiao-xlsx）。

    \b
    jixiao template 模板.xlsx        生成空白标准模板
    jixiao check 自评表.xlsx         核查并列出全部问题
    jixiao score 自评表.xlsx         评分并写出评分工作簿
    jixiao batch 文件夹 -o 汇总.xlsx  批量评分并生成汇总表
    jixiao report 自评表.xlsx        生成绩效自评报告（Word）
    jixiao review 申报表文件夹       审核绩效目标申报表（-o 审核意见.xlsx）
    jixiao codes                     列出全部问题代码及其含义
    """


def _need_xlsx(target: Path, what: str, source: Optional[Path] = None) -> None:
    """Every workbook this tool writes is .xlsx; another extension makes Excel/WPS warn or refuse.
    The name suggested is never ``source``'s own (the input must not be overwritten)."""
    if target.suffix.lower() != ".xlsx":
        fixed = target.with_suffix(".xlsx") if target.suffix else target.with_name(target.name + ".xlsx")
        if source is not None and _same_file(fixed, source):
            fixed = default_scored_path(source)
        click.echo(f"用法错误：{what}文件名应以 .xlsx 结尾，如 {fixed.name}。", err=True)
        sys.exit(EXIT_USAGE)
    if source is not None and _same_file(target, source):
        click.echo(f"用法错误：输出文件 {target} 就是输入文件，不能覆盖输入文件；"
                   f"请换一个输出文件名，如 {default_scored_path(source).name}。", err=True)
        sys.exit(EXIT_USAGE)


def _same_file(a: Path, b: Path) -> bool:
    """The same file: by identity when both exist, else by resolved path (case-insensitive on Windows)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
    except OSError:
        return False


@main.command()
@click.argument("out", required=False, default=None, metavar="[OUT.xlsx]")
@click.option("--force", is_flag=True, help="OUT 已存在时覆盖它。")
@click.option("--declaration", is_flag=True, help="生成绩效目标申报表模板（供 jixiao review 审核），而不是自评表模板。")
@rules_option
@debug_option
def template(out, force, declaration, rules, debug):
    """生成空白标准模板工作簿（下拉选项和填表说明按评分规则生成）。"""
    from .write.template import write_template

    if out is None:
        out = "jixiao-declaration-template.xlsx" if declaration else "jixiao-template.xlsx"
    profile = _profile(rules)
    target = Path(out)
    _need_xlsx(target, "模板")
    if target.exists() and not force:
        click.echo(f"文件 {out} 已存在，为避免覆盖已填写的自评表，未生成模板；请换一个文件名，或加 --force 覆盖。", err=True)
        sys.exit(EXIT_USAGE)
    try:
        if declaration:  # issue #16
            from .write.declaration_template import write_declaration_template

            write_declaration_template(out, profile=profile)
        else:
            write_template(out, profile=profile)
    except (OutputError, OSError) as e:
        click.echo(str(e) if isinstance(e, OutputError) else why_not_written(target, e), err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"已生成空白模板：{out}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@rules_option
@click.option("--json", "as_json", is_flag=True, help="以JSON输出结果。")
@click.option("--sheet", "sheet", default=None, metavar="工作表名",
              help="工作簿含多个项目（每个工作表一个）时，只核查/评分该工作表的项目。")
@debug_option
def check(file, rules, as_json, sheet, debug):
    """核查一个自评工作簿，列出全部问题（错误/提示）。"""
    from .api import evaluate_file

    profile = _profile(rules)
    try:
        result = evaluate_file(file, profile, sheet)
    except UnreadableFile as e:
        _unreadable(file, e, as_json)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001 - never a traceback for a clerk
        _fail_unexpected(file, e, debug)
    if as_json:
        click.echo(_json(result.as_dict()))
    else:
        _print_findings(file, result)
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


def _unreadable(file, e, as_json):
    if as_json:
        click.echo(_json({"file": str(file), "error": e.reason, "code": e.code}))
    else:
        click.echo(f"{file}：{e.reason}", err=True)


def _print_findings(file, result):
    if not result.findings:
        click.echo(f"{file}：未发现问题。")
        return
    click.echo(f"{file}：错误 {result.errors} 项，提示 {result.hints} 项")
    for f in result.findings[:MAX_PRINTED_FINDINGS]:
        click.echo(format_finding(f))
    rest = len(result.findings) - MAX_PRINTED_FINDINGS
    if rest > 0:
        click.echo(f"……另有 {rest} 项未显示；全部问题见评分工作簿的“问题清单”，或用 --json 输出。")


def default_scored_path(file, sheet=None) -> Path:
    from .write.output import derived_name

    p = Path(file)
    stem = f"{p.stem}-{sheet}" if sheet else p.stem  # one scored workbook per project sheet
    return p.with_name(derived_name(stem, ".scored.xlsx"))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", default=None, metavar="OUT.xlsx", help="评分工作簿路径，默认为 <原文件名>.scored.xlsx。")
@rules_option
@click.option("--json", "as_json", is_flag=True, help="把评分结果以JSON输出到标准输出。")
@click.option("--sheet", "sheet", default=None, metavar="工作表名",
              help="工作簿含多个项目（每个工作表一个）时，只核查/评分该工作表的项目。")
@debug_option
def score(file, out, rules, as_json, sheet, debug):
    """评分一个自评工作簿，写出评分工作簿（不修改原文件）。"""
    from .api import open_and_evaluate, write_scored_file

    if out:
        _need_xlsx(Path(out), "评分工作簿", source=Path(file))
    profile = _profile(rules)
    out = Path(out) if out else default_scored_path(file, sheet)
    try:
        book, result = open_and_evaluate(file, profile, sheet)
        written = None
        if not result.blocked:
            written = write_scored_file(result, out, profile, book)
    except UnreadableFile as e:
        _unreadable(file, e, as_json)
        sys.exit(EXIT_FINDINGS)
    except OutputError as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001
        _fail_unexpected(file, e, debug)
    if as_json:
        click.echo(_json(result.as_dict()))
    else:
        _print_findings(file, result)
        if written:
            total = "—" if result.total is None else f"{result.total:.2f}"
            click.echo(f"总分 {total}，等级 {result.grade or '—'}；评分工作簿：{written}")
        else:
            click.echo("存在无法计算总分的错误，未生成评分工作簿；请按上面的提示修改后重试。", err=True)
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


# -- batch (issue #3) is added below this line ---------------------------------------------------


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="INPUT...")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), metavar="SUMMARY.xlsx", help="汇总工作簿路径（必填）。")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N", help="并行进程数，默认由工具按文件数选择。")
@click.option("--scored-dir", type=click.Path(file_okay=False), default=None, metavar="DIR", help="同时把每个文件的评分工作簿写到此文件夹。")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="同时为每个已评分项目写出自评报告（.docx）到此文件夹。")
@click.option("--brief", "brief_out", type=click.Path(dir_okay=False), default=None, metavar="BRIEF.docx",
              help="同时写出汇总分析报告（.docx），如 汇总分析.docx。")
@rules_option
@click.option("--json", "as_json", is_flag=True, help="把全部结果以一个JSON对象输出到标准输出。")
@debug_option
def batch(inputs, out, jobs, scored_dir, reports_dir, brief_out, rules, as_json, debug):
    """批量评分：文件和/或文件夹（含子文件夹）中的全部自评工作簿 → 一个汇总工作簿。

    \b
    例：jixiao batch 各街道自评表 -o 2022年项目支出绩效自评汇总.xlsx
    """

    from . import batch as _batch

    _need_xlsx(Path(out), "汇总表")
    if brief_out:
        _need_docx(Path(brief_out), "汇总分析报告")
    profile = _profile(rules)
    ui = {"bar": _NoBar(), "stream": None}

    def on_start(plan):  # the summary can be written: JSON from here on is whole or the exit is 1
        ui["bar"] = _progress_bar(len(plan.files))
        ui["stream"] = _JsonStream() if as_json else None

    def on_record(rec):
        if ui["stream"]:
            ui["stream"].entry(_batch.json_entry(rec))

    def progress(done, total, file):
        ui["bar"].update(1)
        if done == total:
            ui["bar"].set_description("写出汇总表")

    try:
        run = _batch.run_batch(inputs, profile, jobs=jobs, scored_dir=scored_dir, summary=out, reports_dir=reports_dir,
                               brief=brief_out,
                               on_start=on_start, on_record=on_record, progress=progress)
        ui["bar"].close()
    except _batch.BatchUsageError as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        ui["bar"].close()
        click.echo("\n已中断，未生成汇总表。", err=True)
        sys.exit(130)
    except OutputError as e:  # already one sentence naming the file and what to do
        ui["bar"].close()
        click.echo(str(e), err=True)
        sys.exit(EXIT_FINDINGS)
    except OSError as e:
        ui["bar"].close()
        click.echo(why_not_written(Path(out), e), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001
        ui["bar"].close()
        _fail_unexpected(out, e, debug, f"写出汇总表时发生内部错误（{type(e).__name__}），汇总表未生成，各自评表均未改动；"
                                        "请把本条信息发给技术支持人员。")
    if debug:
        for f, tb in run.tracebacks.items():
            click.echo(f"--- {f}\n{tb}", err=True)
    if ui["stream"]:
        ui["stream"].finish(run.totals)
    _print_batch(run, out, quiet=as_json, duplicates=run.duplicates, mixed_years=run.mixed_years)
    docs_ok = _print_documents(run, reports_dir, quiet=as_json)
    sys.exit(EXIT_OK if run.ok and docs_ok else EXIT_FINDINGS)


def _print_batch(run, out, quiet, duplicates=(), mixed_years=None):
    """A few lines for the clerk; details live in the summary (stderr when stdout carries JSON)."""
    echo = (lambda s: click.echo(s, err=True)) if quiet else click.echo
    echo(
        f"共 {len(run.files)} 个自评工作簿：已评分 {run.scored} 个（其中有错误 {run.with_errors} 个），"
        f"未能处理 {len(run.unreadable)} 个；已跳过 {len(run.skipped)} 个。"
    )
    if duplicates:
        from .write.summary import DUPLICATE_ADVICE

        echo(f"疑似重复报送 {len(duplicates)} 组（实施单位、项目名称和年度相同，合计把它们都计入了），{DUPLICATE_ADVICE}")
    if mixed_years:
        echo(f"年度不一：{mixed_years}")
    for f, reason in run.unreadable[:20]:
        click.echo(f"未能处理 {f}：{reason}", err=True)
    if len(run.unreadable) > 20:
        click.echo(f"……其余 {len(run.unreadable) - 20} 个见汇总表“未能处理”工作表。", err=True)
    echo(f"汇总表：{out}")


# -- self-evaluation report (issue #14, engineer "report") ----------------------------------------


def _need_docx(target: Path, what: str) -> None:
    if target.suffix.lower() != ".docx":
        name = target.with_suffix(".docx").name if target.suffix else target.name + ".docx"
        click.echo(f"用法错误：{what}文件名应以 .docx 结尾，如 {name}。", err=True)
        sys.exit(EXIT_USAGE)


def default_report_path(file) -> Path:
    from .write.output import derived_name

    p = Path(file)
    return p.with_name(derived_name(p.stem, ".自评报告.docx"))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", default=None, metavar="OUT.docx", help="自评报告路径，默认为 <原文件名>.自评报告.docx。")
@rules_option
@debug_option
def report(file, out, rules, debug):
    """按自评表生成绩效自评报告（Word文档），数字全部取自评分结果。"""
    from .api import evaluate_file
    from .write.report import write_report

    if out:
        _need_docx(Path(out), "自评报告")
    profile = _profile(rules)
    out = Path(out) if out else default_report_path(file)
    try:
        result = evaluate_file(file, profile)
        if result.blocked:
            _print_findings(file, result)
            click.echo("存在无法计算总分的错误，未生成自评报告；请按上面的提示修改后重试。", err=True)
            sys.exit(EXIT_FINDINGS)
        written = write_report(result, out, profile)
    except UnreadableFile as e:
        _unreadable(file, e, False)
        sys.exit(EXIT_FINDINGS)
    except OutputError as e:
        click.echo(str(e), err=True)
        sys.exit(EXIT_FINDINGS)
    except OSError as e:
        click.echo(why_not_written(out, e), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as e:  # noqa: BLE001
        _fail_unexpected(file, e, debug)
    _print_findings(file, result)
    missing = [f for f in result.findings if f.code == "REPORT_TEXT_MISSING"]
    if not result.project.narrative:
        click.echo("自评表中没有“自评报告”工作表，报告中的文字栏目以【请填写：…】占位，请在Word中补写。")
    elif missing:
        click.echo("报告中未填写的文字栏目以【请填写：…】占位（黄色底纹），请补写。")
    click.echo(f"总分 {result.total:.2f}，等级 {result.grade}；自评报告：{written}")
    sys.exit(EXIT_FINDINGS if result.errors else EXIT_OK)


def _print_documents(run, reports_dir, quiet: bool) -> bool:
    """What ``--reports`` / ``--brief`` wrote; False when the brief could not be written."""
    echo = (lambda s: click.echo(s, err=True)) if quiet else click.echo
    if reports_dir:
        echo(f"自评报告：已写出 {run.reports} 份到 {reports_dir}。")
        for f, why in run.report_errors[:20]:
            click.echo(f"未生成自评报告 {f}：{why}", err=True)
    if run.brief:
        echo(f"汇总分析报告：{run.brief}")
    if run.brief_error:
        click.echo(run.brief_error, err=True)
        return False
    return True


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="N", help="端口号（0 表示任选一个空闲端口）。")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="H", help="监听地址；默认只允许本机访问。填局域网地址（如 0.0.0.0）时同一网络的其他电脑也能访问。")
@click.option("--open", "open_browser", is_flag=True, help="启动后在默认浏览器中打开页面。")
@rules_option
@debug_option
def serve(port, host, open_browser, rules, debug):
    """在本机启动网页版：在浏览器中下载模板、上传自评表评分、批量汇总（文件只在本机处理）。

    \b
    例：jixiao serve --open
    按 Ctrl+C 停止。
    """
    from .web.server import LOOPBACK, Server, open_later

    profile = _profile(rules)
    if host not in LOOPBACK:
        click.echo(f"警告：正在监听 {host}，同一网络中的其他电脑也能打开本页面并上传文件；"
                   "页面没有登录密码，只在可信的单位内网中使用，用完请按 Ctrl+C 停止。", err=True)
    try:
        server = Server(host, port, profile=profile, debug=debug)
    except OSError as e:
        click.echo(f"无法在 {host}:{port} 启动网页服务（{e.strerror or e}）；该端口可能已被占用，"
                   "请换一个端口，如 jixiao serve --port 8766。", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"网页版已启动：{server.url}  （在浏览器中打开此地址；按 Ctrl+C 停止）")
    if open_browser:
        open_later(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("已停止。", err=True)

# -- review (issue #16): 绩效目标申报表 -------------------------------------------------------------


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="FILE_OR_FOLDER...")
@click.option("-o", "--output", "out", default=None, type=click.Path(dir_okay=False), metavar="审核意见.xlsx",
              help="同时写出审核意见工作簿（审核结论、问题清单、常见问题）。")
@rules_option
@click.option("--json", "as_json", is_flag=True, help="以JSON输出全部审核结果。")
@debug_option
def review(inputs, out, rules, as_json, debug):
    """审核绩效目标申报表（每个工作表一个项目）：完整性、相关性、适当性、可行性。

    \b
    例：jixiao review 2024年申报表 -o 审核意见.xlsx
    """
    from . import batch as _batch
    from .declarations import is_review_workbook, review_files
    from .rules.review import totals

    from .rules.review_profile import review_rules

    if out:
        _need_xlsx(Path(out), "审核意见")
    profile = _profile(rules)
    try:
        review_rules(profile)  # the [review] section is checked before any file is read
    except ProfileError as e:
        click.echo(f"评分规则错误：{e}", err=True)
        sys.exit(EXIT_USAGE)
    missing = [i for i in inputs if not Path(i).exists()]
    if missing:
        click.echo(f"用法错误：找不到输入文件或文件夹：{'、'.join(missing[:5])}。请检查路径。", err=True)
        sys.exit(EXIT_USAGE)
    files, _skipped = _batch.discover(inputs, exclude=[out] if out else [])
    if out and any(_batch._key(i) == _batch._key(out) for i in inputs):
        click.echo(f"用法错误：审核意见 {out} 与输入文件相同，不能覆盖输入文件，请换一个文件名，如 -o 审核意见.xlsx。", err=True)
        sys.exit(EXIT_USAGE)
    if out and Path(out).exists() and not is_review_workbook(out):
        click.echo(f"{out} 已存在，且不是 jixiao 生成的审核意见；为免覆盖其他工作簿，请用 -o 换一个文件名，或先把该文件移走。",
                   err=True)
        sys.exit(EXIT_USAGE)
    if not files:
        click.echo("没有找到任何Excel工作簿（.xlsx/.xlsm/.xls）。", err=True)
        sys.exit(EXIT_USAGE)

    def on_error(path, exc):
        if debug:
            traceback.print_exception(exc)
        return _batch.INTERNAL_ERROR.format(name=type(exc).__name__)

    reviews = review_files(files, profile, on_error=on_error)
    written = None
    if out:
        from .write.review import write_review

        try:
            written = write_review(out, reviews, profile, protect=files)
        except OutputError as e:
            click.echo(str(e), err=True)
            sys.exit(EXIT_FINDINGS)
        except OSError as e:
            click.echo(why_not_written(Path(out), e), err=True)
            sys.exit(EXIT_FINDINGS)
    t = totals(reviews)
    if as_json:
        click.echo(_json({"projects": [r.as_dict() for r in reviews], "totals": t}))
    else:
        _print_reviews(reviews, t, written)
    sys.exit(EXIT_FINDINGS if t["errors"] else EXIT_OK)


def _print_reviews(reviews, t, written) -> None:
    printed = 0
    for r in reviews:
        if not r.sheet:  # not reviewed: one line saying why
            click.echo(f"{r.file}：{r.findings[0].message}", err=True)
            continue
        click.echo(f"{r.file} [{r.sheet}] {r.project}：{r.conclusion}（错误 {r.errors} 项，提示 {r.hints} 项）")
        for f in r.findings:
            if printed >= MAX_PRINTED_FINDINGS * 10:
                break
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            click.echo(f"  [{f.severity}] {where} {f.code}（{f.level}）：{f.message}")
            printed += 1
    shown = sum(len(r.findings) for r in reviews if r.sheet)
    if shown > printed:
        click.echo(f"……另有 {shown - printed} 项未显示；全部问题见 -o 审核意见工作簿，或用 --json 输出。")
    c = t["conclusions"]
    click.echo(f"共审核 {t['projects']} 个项目：通过 {c['通过']} 个，修改后通过 {c['修改后通过']} 个，退回 {c['退回']} 个；"
               f"错误 {t['errors']} 项，提示 {t['hints']} 项。" + (f"审核意见：{written}" if written else ""))


# -- codes (issue #12): the finding catalogue ----------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="以JSON输出（code、severity、blocks、description、scope）。")
@click.option("--markdown", is_flag=True, help="以Markdown表格输出（即 docs/codes.md）。")
def codes(as_json, markdown):
    """列出全部问题代码：严重程度、是否阻断总分计算、说明。"""
    from .api import SCOPE_NAMES, codes_markdown, finding_codes

    if as_json:
        click.echo(_json(finding_codes()))
        return
    if markdown:
        click.echo(codes_markdown(), nl=False)
        return
    rows = finding_codes()
    width = max(len(c["code"]) for c in rows)
    click.echo(f"{'代码':<{width - 2}}  严重程度  是否阻断  范围        说明")
    for c in rows:
        scope = SCOPE_NAMES.get(c["scope"], c["scope"])
        click.echo(f"{c['code']:<{width}}  {c['severity']}      {'是' if c['blocks'] else '否'}        "
                   f"{scope}{' ' * max(2, 12 - 2 * len(scope))}{c['description']}")  # CJK: 2 columns a character
