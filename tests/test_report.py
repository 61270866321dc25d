"""The 绩效自评报告 (.docx), read back with python-docx: every figure of ``score --json`` in its place,
the seed's six chapters, placeholders for missing text, inert cell text, and the command's rules.

Figures are written the way the seed writes them: at most 2 decimals, no trailing zeros (100万元,
103.5万元, 86.25%); the appendix table shows them as the 评分结果 sheet does (100.00, 8.63, 86.25%).
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from jixiao_xlsx.api import evaluate_file
from jixiao_xlsx.cli import main
from jixiao_xlsx.write.report import APPENDIX, CHAPTERS, ReportBlocked, write_report
from jixiao_xlsx.write.template import write_template
from samples.make_samples import JIAHE

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ["jiahe-2022.xlsx", "under-executed-2022.xlsx", "reverse-partly-2022.xlsx", "poor-2022.xlsx"]


def fig(x) -> str:
    """The seed's way: 100 → '100', 103.5 → '103.5', 87.69 → '87.69'."""
    s = f"{D(str(x)).quantize(D('0.01'))}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fig2(x) -> str:
    return f"{D(str(x)).quantize(D('0.01'))}"


def score_json(path) -> dict:
    r = CliRunner().invoke(main, ["score", str(path), "--json", "-o", str(Path(path).with_suffix(".tmp.scored.xlsx"))])
    return json.loads(r.output)


def doc_parts(path):
    """(body paragraphs as [(style, text)], appendix table as [[cell text]] per row)."""
    doc = Document(str(path))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return doc, paras, tables


def chapters(paras) -> dict:
    """Heading 1 text -> the text of the paragraphs under it (headings of level 2 included)."""
    out, cur = {}, None
    for style, text in paras:
        if style == "Heading 1":
            cur = text
            out[cur] = ""
        elif cur is not None:
            out[cur] += text + "\n"
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    d = tmp_path_factory.mktemp("reports")
    out = {}
    for name in SAMPLES:
        src = d / name
        shutil.copy(ROOT / "samples" / name, src)
        rep = d / (Path(name).stem + ".自评报告.docx")
        r = CliRunner().invoke(main, ["report", str(src)])
        assert r.exit_code == 0, r.output
        assert rep.exists(), r.output  # default: <stem>.自评报告.docx beside the input
        out[name] = (rep, score_json(src))
    return out


@pytest.mark.parametrize("name", SAMPLES)
def test_every_figure_of_score_json_is_in_the_report(reports, name):
    rep, js = reports[name]
    _doc, paras, tables = doc_parts(rep)
    ch = chapters(paras)
    assert list(ch) == list(CHAPTERS) + [APPENDIX]
    b, sc = js["budget"], js["scores"]
    funds = ch[CHAPTERS[0]]
    assert f"年初预算数为{fig(b['initial'])}万元" in funds
    assert f"全年执行数为{fig(b['executed'])}万元" in funds
    assert f"项目预算执行率为{fig(b['rate'] * 100)}%" in funds
    if b["initial"] != b["adjusted"]:
        assert f"调整后全年预算数为{fig(b['adjusted'])}万元" in funds
    else:
        assert "年中无调整预算" in funds
    concl = ch[CHAPTERS[2]]
    assert f"得分为{fig(js['total'])}分，评价等级为“{js['grade']}”" in concl
    assert f"预算执行率{fig(sc['execution'])}分" in concl
    for key, l1 in (("output", "产出指标"), ("effect", "效益指标"), ("satisfaction", "满意度指标")):
        assert f"{l1}{fig(sc[key])}分" in concl
    assert f"项目年度预算总额{fig(b['adjusted'])}万元，全年落实资金总额{fig(b['executed'])}万元" in concl
    system = ch[CHAPTERS[1]]
    for ind in js["indicators"]:
        assert ind["level3"] in system  # 三级指标 listed in 二、(三)
        assert ind["level3"] in concl
        lost = ind["score"] < ind["weight"]
        if lost:  # target, actual, weight and score named in 三、(二) and the deduction in 五
            assert (f"{ind['level3']}：年度指标值{ind['target']}，实际完成值{ind['actual']}，分值{fig(ind['weight'])}分，"
                    f"得分{fig(ind['score'])}分。") in concl
            assert f"“{ind['level3']}”年度指标值{ind['target']}，实际完成值{ind['actual']}，扣" \
                   f"{fig(D(str(ind['weight'])) - D(str(ind['score'])))}分" in ch[CHAPTERS[4]]
    for f in js["findings"]:
        if f["code"] != "REPORT_TEXT_MISSING":
            assert f["message"] in ch[CHAPTERS[4]]
    # appendix: the scored 自评表, laid out as the 评分结果 sheet
    (table,) = tables
    rows = {r[3]: r for r in table}  # 三级指标 column
    for ind in js["indicators"]:
        r = rows[ind["level3"]]
        assert r[1:8] == [ind["level1"], ind["level2"], ind["level3"], ind["target"], ind["actual"],
                          fig(ind["weight"]), fig2(ind["score"])]
    total_row = next(r for r in table if r[0] == "总分")
    assert total_row[7] == fig2(js["total"])
    funds_row = next(r for r in table if r[1] == "年度资金总额")
    assert funds_row[3:9] == [fig2(b["initial"]), fig2(b["adjusted"]), fig2(b["executed"]), "10",
                              fig2(b["rate"] * 100) + "%", fig2(sc["execution"])]
    assert next(r for r in table if r[0] == "评价等级")[1] == js["grade"]


def test_jiahe_states_the_seed_figures_where_the_seed_does(reports):
    rep, _js = reports["jiahe-2022.xlsx"]
    _doc, paras, _t = doc_parts(rep)
    ch = chapters(paras)
    one = ch["一、评价项目概述"]
    # seed 一、(四): 100万元, no adjustment, 100 spent, 100 %, then the 70万/30万 split
    assert "该项目年初预算数为100万元，年中无调整预算，全年执行数为100万元，项目预算执行率为100%。" in one
    assert "资金来源均为当年财政拨款" in one
    assert ("其中主要用于红旗坊党建品牌、出版红色故事连环画等党建宣传、提升红旗坊党史学习教育软件服务70万元；"
            "拨付辖内三个联社开展党建引领城中村治理基层组织工作30万元。") in one
    # seed 二、(三): weights 10 / 50 / 30 / 10 (8×4 + 9×2 = 50; 10×3 = 30; 10)
    assert "预算执行率占比10%，产出指标占比50%，效益指标占比30%，满意度指标占比10%" in ch["二、绩效评价概述"]
    # seed 三、(一) and 三、(二)1.
    three = ch["三、评价结论与绩效分析"]
    assert "得分为100分，评价等级为“优”" in three
    assert "项目年度预算总额100万元，全年落实资金总额100万元，均为当年财政拨款，项目资金执行率100%" in three
    # the clerk's own text, from the 自评报告 sheet, in its chapter (the seed's sentences)
    assert "红旗坊被市委宣传部纳入广州市党史学习教育新闻采访线资源库" in one
    assert "（二）主要领导高度重视，分管领导扎实组织。" in ch["四、项目主要绩效或成功经验"]
    assert "（一）绩效管理目标不够清晰。" in ch["五、存在问题或不足"]
    assert "3.创新工作方法" in ch["六、相关建议"]
    assert not any("【请填写" in t for _s, t in paras)


def test_adjusted_budget_and_deductions(reports):
    """under-executed: 年初 100, 全年 120 (调增 20), 执行 103.5; r = 103.5 / 120 = 0.8625 → 86.25%;
    execution 10 × 0.8625 = 8.625 → 8.63, so 10 − 8.63 = 1.37 points lost."""
    rep, js = reports["under-executed-2022.xlsx"]
    _doc, paras, _t = doc_parts(rep)
    ch = chapters(paras)
    assert ("该项目年初预算数为100万元，年中调增预算20万元，调整后全年预算数为120万元，全年执行数为103.5万元，"
            "项目预算执行率为86.25%。") in ch[CHAPTERS[0]]
    assert "资金来源为当年财政拨款110万元、上年结转资金10万元" in ch[CHAPTERS[0]]
    assert "长者饭堂运营补贴计划80万元、实际70万元" in ch[CHAPTERS[0]]
    assert "预算执行率86.25%，全年执行数103.5万元低于全年预算数120万元，扣1.37分。" in ch[CHAPTERS[4]]
    # 助餐服务人次: 10 × 3600 / 5000 = 7.2 → 2.8 lost, with the clerk's 偏差原因
    assert "“助餐服务人次”年度指标值≥5000人次，实际完成值3600人次，扣2.8分" in ch[CHAPTERS[4]]
    assert "偏差原因：上半年疫情影响堂食暂停" in ch[CHAPTERS[2]]
    assert js["scores"]["execution"] == 8.63


def test_missing_text_is_a_highlighted_placeholder(reports):
    rep, _js = reports["poor-2022.xlsx"]  # a template workbook without the 自评报告 sheet
    doc, paras, _t = doc_parts(rep)
    holes = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("【请填写：")]
    assert len(holes) == 9  # the nine narrative sections; 绩效目标 comes from 年度总体目标 (filled)
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in holes)


def test_one_blank_section_one_hint_one_placeholder(tmp_path):
    data = json.loads(json.dumps(JIAHE, default=str))
    data["narrative"]["评价目的"] = None
    data["indicators"] = JIAHE["indicators"]
    src = tmp_path / "x.xlsx"
    write_template(src, data)
    result = evaluate_file(str(src))
    (hint,) = [f for f in result.findings if f.code == "REPORT_TEXT_MISSING"]
    assert hint.severity == "提示" and (hint.sheet, hint.cell) == ("自评报告", "B7") and "评价目的" in hint.message
    out = write_report(result, tmp_path / "x.docx")
    doc = Document(out)
    holes = [r.text for p in doc.paragraphs for r in p.runs if r.text.startswith("【请填写：")]
    assert holes == ["【请填写：评价目的（在自评表“自评报告”工作表“评价目的”栏填写）】"]
    assert not any(f.code == "REPORT_TEXT_MISSING" for f in evaluate_file(str(ROOT / "samples" / "poor-2022.xlsx")).findings)


def test_cell_text_goes_in_as_inert_text(tmp_path):
    data = json.loads(json.dumps(JIAHE, default=str))
    data["indicators"] = JIAHE["indicators"]
    data["narrative"]["背景"] = '=HYPERLINK("http://evil.example","点我")\x07{ PAGE }\x1b第二行\n第三行'
    src = tmp_path / "x.xlsx"
    write_template(src, data)
    out = write_report(evaluate_file(str(src)), tmp_path / "x.docx")
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert "w:hyperlink" not in xml and "w:fldSimple" not in xml and "w:instrText" not in xml
    assert "\x07" not in xml and "\x1b" not in xml
    paras = [p.text for p in Document(out).paragraphs]
    assert '=HYPERLINK("http://evil.example","点我"){ PAGE }第二行' in paras
    assert "第三行" in paras  # a line break in the cell is a new paragraph
    rels = zipfile.ZipFile(out).read("word/_rels/document.xml.rels").decode("utf-8")
    assert "evil.example" not in rels


def test_official_form_report_has_every_figure(tmp_path):
    from tests.support import official_forms

    src = official_forms.build_v1(tmp_path / "form.xlsx")
    result = evaluate_file(str(src))
    out = write_report(result, tmp_path / "form.docx")
    _doc, paras, tables = doc_parts(out)
    ch = chapters(paras)
    assert list(ch) == list(CHAPTERS) + [APPENDIX]
    assert f"得分为{fig(result.total)}分，评价等级为“{result.grade}”" in ch[CHAPTERS[2]]
    assert sum("【请填写：" in t for _s, t in paras) == 9
    assert any("自评表中没有自评报告工作表" in t for _s, t in paras)
    rows = {r[3]: r for r in tables[0]}
    for s in result.indicators:
        assert rows[s.level3][7] == fig2(s.score)


def test_blocked_workbook_gets_no_report(tmp_path):
    data = json.loads(json.dumps(JIAHE, default=str))
    data["indicators"] = JIAHE["indicators"]
    data["funds"]["年度资金总额"] = (100, None, 100)
    data["funds"]["当年财政拨款"] = (100, None, 100)
    src = tmp_path / "坏.xlsx"
    write_template(src, data)
    r = CliRunner().invoke(main, ["report", str(src)])
    assert r.exit_code == 1
    assert "未生成自评报告" in r.output and "BUDGET_MISSING" in r.output
    assert not list(tmp_path.glob("*.docx"))
    with pytest.raises(ReportBlocked):
        write_report(evaluate_file(str(src)), tmp_path / "x.docx")


def test_output_name_rules(tmp_path):
    src = tmp_path / "嘉禾.xlsx"
    shutil.copy(ROOT / "samples" / "jiahe-2022.xlsx", src)
    r = CliRunner().invoke(main, ["report", str(src), "-o", str(src)])
    assert r.exit_code == 2 and ".docx" in r.output  # never onto the input
    r = CliRunner().invoke(main, ["report", str(src), "-o", str(tmp_path / "报告" / "自评报告.docx")])
    assert r.exit_code == 0 and (tmp_path / "报告" / "自评报告.docx").exists()
    assert src.read_bytes() == (ROOT / "samples" / "jiahe-2022.xlsx").read_bytes()


def test_layout_a4_fonts_and_page_numbers(reports):
    rep, _js = reports["jiahe-2022.xlsx"]
    doc = Document(str(rep))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    land = doc.sections[-1]  # the appendix table on landscape A4
    assert (round(land.page_width.mm), round(land.page_height.mm)) == (297, 210)
    east = {name: doc.styles[name].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        for name in ("Normal", "Heading 1", "Heading 2", "Title")}
    assert east == {"Normal": "仿宋", "Heading 1": "黑体", "Heading 2": "楷体", "Title": "宋体"}
    assert doc.styles["Normal"].font.size.pt == 16  # 三号
    footer = zipfile.ZipFile(rep).read("word/footer1.xml").decode("utf-8")
    assert 'w:instr="PAGE"' in footer


def test_batch_reports_and_brief(tmp_path):
    """samples/*.xlsx: budgets 100 + 120 + 50 + 200 = 470, executed 100 + 103.5 + 48 + 90 = 341.5,
    rate 341.5 / 470 = 0.72659… → 72.66%; totals 100 优, 87.69 良, 77.08 中, 36.17 差; mean
    (100 + 87.69 + 77.08 + 36.17) / 4 = 300.94 / 4 = 75.235 → 75.24; self totals 100, 87.69, none, 85:
    only poor-2022 is inflated, 85 − 36.17 = 48.83."""
    src = tmp_path / "in"
    src.mkdir()
    for name in SAMPLES:
        shutil.copy(ROOT / "samples" / name, src / name)
    (src / "sub").mkdir()
    shutil.copy(ROOT / "samples" / "jiahe-2022.xlsx", src / "sub" / "jiahe-2022.xlsx")  # same stem
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "汇总.xlsx"), "--reports",
                                  str(tmp_path / "reports"), "--brief", str(tmp_path / "汇总分析.docx")])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert len(names) == 5 and len(set(n.lower() for n in names)) == 5
    assert "sub__jiahe-2022.自评报告.docx" in names and "jiahe-2022.自评报告.docx" in names
    # the brief, over the four samples only
    (tmp_path / "汇总分析.docx").unlink()
    shutil.rmtree(src / "sub")
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "汇总2.xlsx"), "--brief",
                                  str(tmp_path / "汇总分析.docx")])
    assert r.exit_code == 0, r.output
    _doc, paras, tables = doc_parts(tmp_path / "汇总分析.docx")
    text = "\n".join(t for _s, t in paras)
    assert "本次共汇总4个项目的绩效自评表，涉及4个实施单位（街道）" in text
    assert "全年预算数合计470万元，全年执行数合计341.5万元，总体预算执行率72.66%" in text
    assert "平均75.24分" in text
    assert "优1个、良1个、中1个、差1个" in text
    assert "自评85分，按规则计算36.17分，高出48.83分" in text
    grades, lowest, inflation, findings, every = tables
    assert [r[:2] for r in grades[1:]] == [["优", "1"], ["良", "1"], ["中", "1"], ["差", "1"]]
    assert [r[3] for r in lowest[1:]] == ["36.17", "77.08", "87.69", "100"]
    assert [r[3:6] for r in inflation[1:]] == [["85", "36.17", "48.83"]]
    assert len(every) == 5
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "汇总3.xlsx"), "--brief",
                                  str(tmp_path / "汇总分析.txt")])
    assert r.exit_code == 2


# -- LibreOffice: every report and the brief convert to PDF, pages counted, figures in the text ----
@pytest.mark.soffice
def test_reports_and_brief_convert_to_pdf(reports, tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from jixiao_xlsx.write.brief import write_brief

    srcs = []
    for name in SAMPLES:
        rep, _js = reports[name]
        srcs.append(shutil.copy(rep, tmp_path / f"r{len(srcs)}.docx"))
    results = [evaluate_file(str(ROOT / "samples" / n)) for n in SAMPLES]
    srcs.append(write_brief(results, tmp_path / "brief.docx"))
    pdfs = lo.convert_many(srcs, "pdf", tmp_path / "pdf")
    for name, pdf in zip(SAMPLES, pdfs):
        _rep, js = reports[name]
        assert 5 <= lo.pdf_pages(pdf) <= 20, name
        sizes = lo.pdf_page_sizes(pdf)
        assert sizes is None or all(lo.is_a4(s) for s in sizes)
        pages = lo.pdf_text_pages(pdf)
        if pages is None:
            continue
        text = re.sub("[“”]", "", "".join(pages))  # pdftotext may move quotes set in a fallback font
        assert "一、评价项目概述" in text and "六、相关建议" in text
        assert f"得分为{fig(js['total'])}分，评价等级为{js['grade']}" in text
        assert f"项目预算执行率为{fig(js['budget']['rate'] * 100)}%" in text
        for ind in js["indicators"]:
            assert re.sub("[“”\\s]", "", ind["level3"]) in text
    brief_pages = lo.pdf_text_pages(pdfs[-1])
    assert lo.pdf_pages(pdfs[-1]) >= 2
    if brief_pages is not None:
        assert "全年预算数合计470万元" in "".join(brief_pages)
    assert re.search(r"—1—", (brief_pages or ["—1—"])[0])


# Word (unlike LibreOffice) asks to repair a document whose property elements are out of their schema
# sequence or repeated; the sequences of ECMA-376 Part 1 for the elements this project writes by hand.
_SEQ = {
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath",
}


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/footer1.xml"])
def test_property_elements_in_schema_order(reports, tmp_path, part):
    from lxml import etree

    from jixiao_xlsx.write.brief import write_brief

    brief = write_brief([evaluate_file(str(ROOT / "samples" / n)) for n in SAMPLES], tmp_path / "b.docx")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for docx in [reports[n][0] for n in SAMPLES] + [brief]:
        root = etree.fromstring(zipfile.ZipFile(docx).read(part))
        for name, seq in _SEQ.items():
            order = seq.split()
            for el in root.iter(w + name):
                kids = [k.tag[len(w):] for k in el if k.tag.startswith(w)]
                known = [k for k in kids if k in order]
                assert len(known) == len(set(known)), (docx, name, kids)
                assert known == sorted(known, key=order.index), (docx, name, kids)
