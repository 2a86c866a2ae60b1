#!/usr/bin/env python3
"""Remakes the forms of the seed arrangement in this directory (see README.md).

Run from this directory:  python3 make_forms.py
Needs: Python 3, openpyxl (pip install openpyxl), LibreOffice headless (libreoffice-writer-nogui)
and a CJK font (fonts-noto-cjk) for the PDF.
"""
import html
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_TXT = os.path.join(HERE, "..", "seed_panjin_2017.txt")
# The golden plan is the insta snapshot of the seed text's plan (its body after the header).
SEED_SNAP = os.path.join(HERE, "..", "..", "..", "tests", "plan", "snapshots", "plan__golden__seed_panjin_2017_plan.snap")

# ASCII punctuation -> full-width, by code point (editors must not be trusted with these).
FULL = {
    0x28: 0xFF08,  # ( -> （
    0x29: 0xFF09,  # ) -> ）
    0x2C: 0xFF0C,  # , -> ，
    0x3A: 0xFF1A,  # : -> ：
    0x3B: 0xFF1B,  # ; -> ；
    0x3F: 0xFF1F,  # ? -> ？
    0x21: 0xFF01,  # ! -> ！
}


def is_chinese(c):
    """A CJK ideograph, CJK punctuation (、。〔〕《》) or a full-width form."""
    if not c:
        return False
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def fullwidth(text):
    """Every ASCII ( ) , : ; ? ! next to a Chinese character becomes full-width; repeated until
    nothing changes, so `)(` between Chinese characters converts as a pair."""
    chars = list(text)
    changed = True
    while changed:
        changed = False
        for i, c in enumerate(chars):
            if ord(c) in FULL:
                before = chars[i - 1] if i > 0 else ""
                after = chars[i + 1] if i + 1 < len(chars) else ""
                if is_chinese(before) or is_chinese(after):
                    chars[i] = chr(FULL[ord(c)])
                    changed = True
    return "".join(chars)


def libreoffice(src, fmt, outdir):
    """Converts `src` with LibreOffice headless; returns the path of the result."""
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    try:
        cmd = [
            "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
        ]
        if src.endswith(".txt"):
            cmd.append("--infilter=Text (encoded):UTF8,LF,,,")
        cmd += ["--convert-to", fmt, "--outdir", outdir, src]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    base = os.path.splitext(os.path.basename(src))[0]
    return os.path.join(outdir, f"{base}.{fmt}")


def write_html(text, path):
    """A gov-style page: breadcrumbs, 发布时间/浏览次数, the body in a TRS_Editor div."""
    lines = text.split("\n")
    # the web copy's own page chrome (breadcrumb and metadata table) ends at the title line
    start = lines.index("盘锦市2017年政务公开工作安排", 1)
    title = lines[start]
    body = [l for l in lines[start + 1 :] if l.strip() and not l.startswith("发布时间")]
    paras = []
    for i, l in enumerate(body):
        l = l.strip()
        esc = html.escape(l, quote=False)
        # indentation the way such sites write it: &nbsp; runs, ideographic spaces, or CSS
        if i % 3 == 0:
            esc = "&nbsp;&nbsp;&nbsp;&nbsp;" + esc
        elif i % 3 == 1:
            esc = "&#12288;&#12288;" + esc
        paras.append(f'<p style="text-indent:2em;">{esc}</p>')
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}_盘锦市人民政府</title>
<style>.TRS_Editor p {{ line-height: 2; }}</style>
<script>var _hmt = _hmt || [];</script>
</head>
<body>
<div class="header"><a href="/">盘锦市人民政府</a>&nbsp;|&nbsp;<a href="/zwgk/">政务公开</a></div>
<div class="position">当前位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;<a href="/zwgk/">政务公开</a>&nbsp;&gt;&nbsp;<a href="/zwgk/zd/">政府信息公开制度</a></div>
<div class="article">
<h1>{title}</h1>
<div class="info">发布时间：2017-06-05&nbsp;&nbsp;浏览次数：98&nbsp;&nbsp;【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
<div class="TRS_Editor">
{chr(10).join(paras)}
</div>
</div>
<div class="footer">主办：盘锦市人民政府办公室&nbsp;&nbsp;辽ICP备05000000号</div>
</body>
</html>
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)


def feedback_text(dates):
    """`6月30日反馈落实情况，11月30日反馈全年情况` (the seed's wording) from the golden dates."""
    parts = []
    for i, d in enumerate(dates):
        _, m, day = d.split("-")
        what = "全年情况" if i > 0 else "落实情况"
        parts.append(f"{int(m)}月{int(day)}日反馈{what}")
    return chr(0xFF0C).join(parts)


def write_xlsx(path):
    """The seed's duties as a 任务分工表, one row a duty; a task's rows share merged 序号 and
    工作任务 cells (vertical merges, as such tables are usually drawn)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    plan = json.loads(open(SEED_SNAP, encoding="utf-8").read().split("---\n", 2)[2])
    wb = Workbook()
    ws = wb.active
    ws.title = "任务分工"
    header = ["序号", "工作任务", "具体要求", "牵头单位", "配合单位", "责任单位", "完成时限/反馈时间"]
    ws.append([plan["title"] + "任务分工表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    row = 3
    for t in plan["tasks"]:
        first = row
        for d in t["duties"]:
            text = fullwidth(d["text"])
            ws.append(
                [
                    t["number"] if row == first else None,
                    fullwidth(t["title"]) if row == first else None,
                    text,
                    "、".join(d["lead"]),
                    "、".join(d["co"]),
                    "、".join(d["responsible"]),
                    feedback_text(d["feedback_dates"]),
                ]
            )
            row += 1
        if row - first > 1:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            ws.merge_cells(start_row=first, start_column=2, end_row=row - 1, end_column=2)
    for r in ws.iter_rows():
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="center")
    wb.save(path)


def main():
    raw = open(SEED_TXT, encoding="utf-8").read()
    full = fullwidth(raw)
    left = sorted({c for c in full if c in "(),:;?!"})
    with open(os.path.join(HERE, "seed.fullwidth.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(full)
    with open(os.path.join(HERE, "seed.gb18030-crlf.txt"), "wb") as f:
        f.write(full.replace("\n", "\r\n").encode("gb18030"))
    write_html(full, os.path.join(HERE, "seed.html"))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "seed.txt")
        shutil.copy(os.path.join(HERE, "seed.fullwidth.txt"), src)
        docx = libreoffice(src, "docx", tmp)
        shutil.copy(docx, os.path.join(HERE, "seed.docx"))
        pdf = libreoffice(docx, "pdf", tmp)
        shutil.copy(pdf, os.path.join(HERE, "seed.pdf"))
    write_xlsx(os.path.join(HERE, "seed.tasks.xlsx"))
    print("ASCII punctuation left in seed.fullwidth.txt:", left or "none")


if __name__ == "__main__":
    main()
