"""Self-contained HTML report: inline CSS and SVG charts, no scripts, nothing fetched from a CDN."""

from __future__ import annotations

from html import escape
from typing import Any

from aigis.assess.report import ReportData, _pct, summary_rows, t
from aigis.assess.suggestions import for_category

CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d9e2ec;padding:.35rem .5rem;
text-align:left;vertical-align:top;font-size:.9rem}th{background:#f0f4f8}.met{color:#0b7a3e;font-weight:600}
.not_met{color:#c81e1e;font-weight:600}.not_tested{color:#7b8794}
dl{display:grid;grid-template-columns:12rem 1fr;
gap:.2rem 1rem}dt{font-weight:600}.ex{background:#f8fafc;border-left:3px solid #c81e1e;padding:.4rem .7rem;
margin:.4rem 0;font-size:.85rem;white-space:pre-wrap;word-break:break-word}.sug{background:#effcf6;
border-left:3px solid #0b7a3e;padding:.4rem .7rem}svg text{font-size:11px;fill:#1f2933}
"""


def _color(rate: float | None) -> str:
    if rate is None:
        return "#e4e7eb"
    # red (0) -> amber (0.5) -> green (1)
    r = int(200 if rate < 0.5 else 200 - (rate - 0.5) * 2 * 189)
    g = int(30 + rate * 2 * 92) if rate < 0.5 else 122
    return f"rgb({r},{g},{60 if rate < 0.5 else 62})"


def bar_chart(rows: list[tuple[str, dict[str, Any]]], title: str, marks: tuple[float, ...] = ()) -> str:
    """Horizontal bars (rate) with 95% interval whiskers; optional vertical threshold marks."""
    label_w, bar_w, row_h = 190, 480, 22
    height = 30 + row_h * len(rows) + 20
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{label_w + bar_w + 80}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="14" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, rate) in enumerate(rows):
        y = 28 + i * row_h
        value = rate.get("rate")
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label[:28])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="#f0f4f8"/>')
        if value is not None:
            w = bar_w * value
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{_color(value)}"><title>{escape(label)}: {value:.1%} (n={rate["n"]})</title></rect>'
            )
            ci = rate.get("ci95")
            if ci:
                x1, x2 = label_w + bar_w * ci[0], label_w + bar_w * ci[1]
                ym = y + row_h / 2
                parts.append(f'<line x1="{x1:.1f}" y1="{ym}" x2="{x2:.1f}" y2="{ym}" stroke="#1f2933"/>')
            parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{value:.1%} n={rate["n"]}</text>')
    for mark in marks:
        x = label_w + bar_w * mark
        parts.append(
            f'<line x1="{x:.1f}" y1="24" x2="{x:.1f}" y2="{height - 14}" stroke="#3e4c59" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle">{mark:.0%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def heatmap(data: dict[str, dict[str, dict[str, Any]]], title: str) -> str:
    categories = sorted(data)
    attacks = sorted({a for row in data.values() for a in row})
    if not categories or not attacks:
        return ""
    label_w, cell_w, cell_h, head_h = 190, 54, 20, 110
    width = label_w + cell_w * len(attacks) + 10
    height = head_h + cell_h * len(categories) + 10
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="14" font-weight="600">{escape(title)}</text>',
    ]
    for j, attack in enumerate(attacks):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text transform="translate({x:.0f},{head_h - 6}) rotate(-50)">{escape(attack)}</text>')
    for i, cat in enumerate(categories):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(cat[:28])}</text>')
        for j, attack in enumerate(attacks):
            rate = data[cat].get(attack, {})
            value = rate.get("rate")
            x = label_w + j * cell_w
            tip = f"{cat} × {attack}: {_pct(value)} (n={rate.get('n', 0)})"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{_color(value)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if value is not None:
                parts.append(
                    f'<text x="{x + cell_w / 2 - 1:.0f}" y="{y + 14}" text-anchor="middle" '
                    f'style="fill:#fff">{value * 100:.0f}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: ReportData) -> str:
    lang, s, run = report.lang, report.summary, report.run
    e = escape
    head = [("run", run["id"]), *summary_rows(report)]
    out = [
        f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{e(t('title', lang))} {e(run['id'])}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(t('title', lang))}</h1><dl>",
    ]
    out += [f"<dt>{e(t(k, lang))}</dt><dd>{e(str(v))}</dd>" for k, v in head]
    out.append(f"</dl><h2>{e(t('tc260', lang))}</h2><table><tr>")
    out += [f"<th>{e(t(k, lang))}</th>" for k in ("requirement", "required", "observed", "n", "verdict")]
    out.append("</tr>")
    for row in s.get("tc260", []):
        cls = "not_tested" if row["met"] is None else "met" if row["met"] else "not_met"
        out.append(
            f"<tr><td>{e(row[lang])}</td><td>{e(row['required'])}</td><td>{e(row['observed'])}</td>"
            f'<td>{row["n"]}</td><td class="{cls}">{e(report.verdict(row["met"]))}</td></tr>'
        )
    out.append(f"</table><h2>{e(t('refusal', lang))}</h2>")
    out.append(
        bar_chart(
            [(t(k, lang), s["refusal"][k]) for k in ("should_refuse", "should_not_refuse")],
            t("refusal", lang),
            marks=(0.05, 0.95),
        )
    )
    out.append(f"<h2>{e(t('by_category', lang))}</h2>")
    out.append(bar_chart(list(s["by_category"].items()), t("by_category", lang), marks=(0.9,)))
    out.append(f"<h2>{e(t('by_attack', lang))}</h2>")
    out.append(bar_chart(list(s["by_attack"].items()), t("pass_rate", lang)))
    asr = s.get("attack_success_rate", {})
    if asr:
        out.append(bar_chart(list(asr.items()), t("asr", lang)))
    out.append(f"<h2>{e(t('heatmap', lang))}</h2>")
    out.append(heatmap(s.get("heatmap", {}), t("heatmap", lang)))
    out.append(f"<h2>{e(t('failing', lang))}</h2>")
    if not s.get("failing"):
        out.append(f"<p>{e(t('none', lang))}</p>")
    for cat, examples in s.get("failing", {}).items():
        out.append(
            f'<h3>{e(cat)}</h3><p class="sug"><b>{e(t("suggestion", lang))}:</b> '
            f"{e(for_category(cat, lang))}</p>"
        )
        for ex in examples:
            out.append(
                f'<div class="ex"><b>{e(ex["item_id"])}</b> · {e(ex["attack"])} · {e(ex["why"])}\n'
                f"<b>{e(t('prompt', lang))}:</b> {e(ex['prompt'])}\n"
                f"<b>{e(t('response', lang))}:</b> {e(ex['response'])}</div>"
            )
    suggestions = report.attack_suggestions()
    if suggestions:
        out.append(f"<h2>{e(t('attack_suggestions', lang))}</h2><ul>")
        out += [f"<li><b>{e(name)}</b>: {e(text)}</li>" for name, text in suggestions]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)
