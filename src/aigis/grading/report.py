"""Bilingual grade reports: Markdown and self-contained HTML (inline CSS, no external assets)."""

from __future__ import annotations

from html import escape
from typing import Any

from aigis.grading.engine import GradeResult


def _bi(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def format_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "—" if value is None else str(value)


def to_markdown(result: GradeResult) -> str:
    lvl = result.level
    name = result.system.get("name", "?")
    lines = [
        f"# {_bi('人工智能安全风险分级', 'AI safety risk grade')}: {name}",
        "",
        f"**{_bi('风险等级', 'Risk level')}: {lvl.number} — {lvl.zh} / {lvl.en}** (`{lvl.id}`)",
        "",
        f"- {_bi('总分', 'Score')}: {result.score} / 100; "
        f"{_bi('基础等级', 'base level')}: {result.base_level}",
        f"- {_bi('规则包', 'Rule pack')}: `{result.pack.id}` {result.pack.version} "
        f"(sha256 `{result.pack.sha256[:16]}`)",
        f"- {_bi('组织角色', 'Roles')}: {', '.join(result.system.get('roles', []))}",
        "",
        f"## {_bi('分级要素', 'Grading elements')}",
        "",
        f"| {_bi('要素', 'Element')} | {_bi('因子', 'Factor')} | {_bi('取值', 'Value')} | "
        f"{_bi('得分', 'Score')} | {_bi('权重', 'Weight')} |",
        "|---|---|---|---|---|",
    ]
    for element in result.elements:
        lines.append(
            f"| **{_bi(element.title['zh'], element.title['en'])}** | {element.combination} | | "
            f"**{element.score}** | {element.weight} |"
        )
        for f in element.factors:
            value = format_value(f.value) + (" *(default)*" if f.defaulted else "")
            lines.append(f"| | {_bi(f.title['zh'], f.title['en'])} | {value} | {f.score} | {f.weight} |")
    lines += ["", f"## {_bi('触发的升级规则', 'Escalation rules that fired')}", ""]
    if not result.rules:
        lines.append(_bi("无", "None"))
    for rule in result.rules:
        lines.append(
            f"- `{rule.id}` ({rule.effect}; {rule.level_before} → {rule.level_after}): {rule.reason['zh']} "
            f"{rule.reason['en']} — {'; '.join(rule.matched)}"
        )
    lines += ["", f"## {_bi('须落实的控制措施', 'Required controls')}", ""]
    for control in result.controls:
        freq = _bi(control.frequency("zh"), control.frequency("en"))
        note = f" — {_bi(control.note['zh'], control.note['en'])}" if control.note else ""
        lines.append(
            f"- [ ] **{_bi(control.title['zh'], control.title['en'])}** ({', '.join(control.clauses)}; "
            f"{', '.join(control.roles)}) — {freq}{note}"
        )
    lines.append("")
    return "\n".join(lines)


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2rem;color:#1b1f24;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;
vertical-align:top}th{background:#f6f8fa}.lvl{display:inline-block;padding:.3rem .8rem;border-radius:4px;
color:#fff;font-weight:600}.l1{background:#2da44e}.l2{background:#9a6700}.l3{background:#bc4c00}
.l4{background:#cf222e}.l5{background:#82071e}.muted{color:#57606a}.el td{background:#f6f8fa;font-weight:600}
code{font-family:ui-monospace,monospace;font-size:.9em}ul.checklist{list-style:none;padding-left:0}
ul.checklist li{margin:.4rem 0}
"""


def to_html(result: GradeResult) -> str:
    e = escape
    lvl = result.level
    name = e(str(result.system.get("name", "?")))
    rows: list[str] = []
    for element in result.elements:
        rows.append(
            f'<tr class="el"><td>{e(element.title["zh"])} / {e(element.title["en"])}</td>'
            f"<td>{e(element.combination)}</td><td></td><td>{element.score}</td><td>{element.weight}</td></tr>"
        )
        for f in element.factors:
            default = ' <span class="muted">(default)</span>' if f.defaulted else ""
            rows.append(
                f"<tr><td></td><td>{e(f.title['zh'])} / {e(f.title['en'])}</td>"
                f"<td><code>{e(format_value(f.value))}</code>{default}</td><td>{f.score}</td><td>{f.weight}</td></tr>"
            )
    rules = (
        "".join(
            f'<li id="rule-{e(r.id)}"><code>{e(r.id)}</code> ({e(r.effect)}; '
            f"{r.level_before} → {r.level_after}): "
            f"{e(r.reason['zh'])}<br>{e(r.reason['en'])}<br>"
            f'<span class="muted">{e("; ".join(r.matched))}</span></li>'
            for r in result.rules
        )
        or f"<li>{_bi('无', 'None')}</li>"
    )
    controls = "".join(
        f'<li id="control-{e(c.id)}"><input type="checkbox" disabled> <strong>{e(c.title["zh"])}</strong> / '
        f'{e(c.title["en"])} <span class="muted">({e(", ".join(c.clauses))}; {e(", ".join(c.roles))}) — '
        f"{e(c.frequency('zh'))} / {e(c.frequency('en'))}"
        + (f" — {e(c.note['zh'])} / {e(c.note['en'])}" if c.note else "")
        + "</span></li>"
        for c in result.controls
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} — {e(lvl.zh)} / {e(lvl.en)}</title><style>{CSS}</style></head><body>
<h1>人工智能安全风险分级 / AI safety risk grade: {name}</h1>
<p><span class="lvl l{lvl.number}" id="level">{lvl.number} · {e(lvl.zh)} / {e(lvl.en)}</span>
<code>{lvl.id}</code></p>
<p>总分 / Score: <strong>{result.score}</strong> / 100 · 基础等级 / base level: {result.base_level} ·
规则包 / rule pack: <code>{e(result.pack.id)}</code> {e(result.pack.version)}
<span class="muted">sha256 {result.pack.sha256[:16]}</span> ·
角色 / roles: {e(", ".join(result.system.get("roles", [])))}</p>
<h2>分级要素 / Grading elements</h2>
<table><thead><tr><th>要素 / Element</th><th>因子 / Factor</th><th>取值 / Value</th><th>得分 / Score</th>
<th>权重 / Weight</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>触发的升级规则 / Escalation rules that fired</h2><ul>{rules}</ul>
<h2>须落实的控制措施 / Required controls</h2><ul class="checklist">{controls}</ul>
</body></html>
"""
