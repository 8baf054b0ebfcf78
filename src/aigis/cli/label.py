"""aigis label add|propagate|verify|read|text|keys: AIGC labels per GB 45438-2025."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from aigis.cli.output import OutputFormat, console, emit_data, progress_bar, table
from aigis.i18n import resolve_lang

LangOpt = typer.Option(None, "--lang", "-l", help="zh or en (default: AIGIS_LANG, then the locale).")
FormatOpt = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or yaml.")


def register(app: typer.Typer) -> None:
    label_app = typer.Typer(
        help="AIGC labels (GB 45438-2025): add and verify. / 生成合成内容标识：添加与核验。",
        no_args_is_help=True,
    )

    @label_app.command("add")
    def add(
        src: Path = typer.Argument(..., help="Input file or folder."),
        dst: Path | None = typer.Argument(None, help="Output file or folder (not needed with --in-place)."),
        producer: str = typer.Option(..., "--producer", help="ContentProducer code (printable ASCII)."),
        produce_id: str = typer.Option(..., "--produce-id", help="ProduceID (printable ASCII)."),
        explicit: bool = typer.Option(False, "--explicit", help="Add a visible/audible notice."),
        implicit: bool = typer.Option(False, "--implicit", help="Add the metadata label (the default)."),
        watermark: bool = typer.Option(
            False, "--watermark", help="Add an invisible watermark (images, audio)."
        ),
        c2pa: bool = typer.Option(False, "--c2pa", help="Sign a C2PA manifest."),
        label: str = typer.Option("1", "--label", help="1 AI-generated, 2 possibly, 3 suspected."),
        position: str | None = typer.Option(
            None,
            "--position",
            help="Notice position: start|end|middle for "
            "text and audio, top-left|...|bottom-right for images.",
        ),
        wording: str | None = typer.Option(None, "--wording", help="Custom notice wording."),
        audio_notice: str = typer.Option(
            "rhythm", "--audio-notice", help="Audio notice: rhythm (Morse 'AI' tones) or spoken (espeak-ng)."
        ),
        c2pa_cert: Path | None = typer.Option(
            None,
            "--c2pa-cert",
            help="C2PA certificate chain (PEM, signer first; default: AIGIS_C2PA_CERT, "
            "else the local development CA).",
        ),
        c2pa_key: Path | None = typer.Option(
            None, "--c2pa-key", help="C2PA signing key (PEM; default: AIGIS_C2PA_KEY)."
        ),
        in_place: bool = typer.Option(False, "--in-place", help="Change the input itself."),
        lang: str | None = LangOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Label a file, or every file of a folder into an output folder."""
        from aigis.label.api import add_labels, iter_pairs

        chosen = resolve_lang(lang)
        if not (explicit or implicit or watermark or c2pa):
            implicit = True
        if dst is None and not in_place:
            from aigis.errors import InputError

            raise InputError(f"{src}: give OUT, or --in-place to change the input itself")
        pairs = list(iter_pairs(src, dst or src))
        results = []
        for one_src, one_dst in pairs:
            result = add_labels(
                one_src,
                None if in_place and dst is None else one_dst,
                producer,
                produce_id,
                explicit=explicit,
                implicit=implicit,
                watermark=watermark,
                c2pa=c2pa,
                label=label,
                lang=chosen,
                position=position,
                wording=wording,
                in_place=in_place,
                audio_notice=audio_notice,
                c2pa_cert=c2pa_cert,
                c2pa_key=c2pa_key,
            )
            results.append(result.to_dict())
        if emit_data(results if len(results) != 1 else results[0], fmt):
            return
        zh = chosen == "zh"
        heads = ["输出", "步骤", "ProduceID"] if zh else ["output", "steps", "ProduceID"]
        rows = [
            (
                r["dst"],
                ", ".join([*r["steps"], *(["implicit"] if r["label"] else [])]),
                (r["label"] or {}).get("ProduceID", ""),
            )
            for r in results
        ]
        console.print(table("已添加标识" if zh else "Labeled", heads, rows))

    @label_app.command("propagate")
    def propagate_(
        src: Path,
        dst: Path | None = typer.Argument(None),
        propagator: str = typer.Option(..., "--propagator", help="ContentPropagator code."),
        propagate_id: str = typer.Option(..., "--propagate-id", help="PropagateID."),
        in_place: bool = typer.Option(False, "--in-place"),
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Add ContentPropagator and PropagateID to an existing label, without re-encoding."""
        from aigis.label import propagate

        value = propagate(src, dst, propagator, propagate_id, in_place=in_place)
        if not emit_data(value.to_dict(), fmt):
            console.print(table(None, ["field", "value"], list(value.to_dict().items())))

    @label_app.command("verify")
    def verify(
        paths: list[Path] = typer.Argument(..., help="Files or folders (recursive)."),
        jobs: int = typer.Option(0, "--jobs", "-j", help="Processes (0: one per CPU)."),
        json_out: Path | None = typer.Option(None, "--json", help="Write a JSON report here."),
        html_out: Path | None = typer.Option(None, "--html", help="Write an HTML report here."),
        watermark: bool = typer.Option(False, "--watermark", help="Also look for image/audio watermarks."),
        explicit: bool = typer.Option(
            False, "--explicit", help="Also check explicit notices (text, image, audio rhythm, video)."
        ),
        c2pa: bool = typer.Option(False, "--c2pa", help="Also read and validate C2PA manifests."),
        lang: str | None = LangOpt,
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Verify labels. Exit 0: all compliant; 1: noncompliant or unlabeled files; 5: only inconclusive."""
        from aigis.label import verify as v

        chosen = resolve_lang(lang)
        extras = v.default_extras(watermark=watermark, c2pa=c2pa, explicit=explicit)
        files = list(v.iter_files(paths))
        workers = jobs or (os.cpu_count() or 1)
        with progress_bar(disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("核验" if chosen == "zh" else "verify", total=len(files))
            results = v.verify_paths(
                files, jobs=workers, extras=extras, progress=lambda n: bar.advance(task, n)
            )
        if json_out:
            json_out.write_text(v.json_report(results), encoding="utf-8")
        if html_out:
            html_out.write_text(v.html_report(results, chosen), encoding="utf-8")
        data = {"summary": v.summary(results), "files": [r.to_dict() for r in results]}
        if not emit_data(data, fmt):
            zh = chosen == "zh"
            rows = [
                (
                    r.path,
                    r.format or "",
                    v.VERDICT_ZH[r.verdict] if zh else r.verdict,
                    "; ".join(x.zh if zh else x.en for x in r.reasons),
                )
                for r in results
            ]
            heads = ["文件", "格式", "结论", "原因"] if zh else ["file", "format", "verdict", "reasons"]
            console.print(table(None, heads, rows))
            counts = v.summary(results)
            console.print(", ".join(f"{v.VERDICT_ZH[k] if zh else k}: {n}" for k, n in counts.items()))
        sys.exit(v.exit_code(results))

    @label_app.command("read")
    def read(path: Path, fmt: OutputFormat = FormatOpt) -> None:
        """Show the labels found in a file's metadata."""
        from aigis.label import read_labels

        found = read_labels(path)
        data = [
            {"location": f.location, "label": f.label.to_dict() if f.label else None, "raw": f.raw}
            for f in found
        ]
        if not emit_data(data, fmt):
            console.print(
                table(
                    str(path),
                    ["location", "label"],
                    [(d["location"], (d["label"] or {}) or d["raw"]) for d in data],
                )
            )

    @label_app.command("text")
    def text_(
        text: str = typer.Argument(..., help="Text to label ('-' reads standard input)."),
        position: str = typer.Option("start", "--position", help="start, end or middle."),
        wording: str | None = typer.Option(None, "--wording"),
        lang: str | None = LangOpt,
    ) -> None:
        """Add an explicit notice to a text."""
        from aigis.label.explicit import label_text

        body = sys.stdin.read() if text == "-" else text
        typer.echo(label_text(body, position, resolve_lang(lang), wording))  # type: ignore[arg-type]

    @label_app.command("keys")
    def keys(
        export: Path | None = typer.Option(None, "--export", help="Write the public key (PEM) here."),
    ) -> None:
        """Show the signing key id (the key pair is created on first use)."""
        from aigis.label import KeyRing

        ring = KeyRing.load()
        if export:
            export.write_bytes(ring.public_pem())
        typer.echo(ring.key_id)

    text_app = typer.Typer(
        help="Text watermarks: fragile zero-width mark, green-list detection. / 文本水印。",
        no_args_is_help=True,
    )

    @text_app.command("embed")
    def tw_embed(
        text: str = typer.Argument(..., help="Text ('-' reads standard input)."),
        payload: str = typer.Option(..., "--payload", help="Printable ASCII, e.g. the ProduceID."),
    ) -> None:
        """Add a zero-width mark (fragile: editors and filters remove it)."""
        from aigis.label.watermark_text import zw_embed

        body = sys.stdin.read() if text == "-" else text
        typer.echo(zw_embed(body, payload), nl=False)

    @text_app.command("detect")
    def tw_detect(
        text: str = typer.Argument(..., help="Text ('-' reads standard input)."),
        tokens: Path | None = typer.Option(
            None, "--tokens", help="JSON list of token ids: run the green-list z-score test instead."
        ),
        vocab: int = typer.Option(0, "--vocab", help="Vocabulary size (with --tokens)."),
        key: str | None = typer.Option(None, "--key", help="Green-list key (with --tokens)."),
        fmt: OutputFormat = FormatOpt,
    ) -> None:
        """Read a zero-width mark, or score token ids for the green-list watermark. Exit 1 when none."""
        import json

        from aigis.errors import InputError
        from aigis.label.watermark_text import DEFAULT_KEY, GreenList, zw_detect

        if tokens is not None:
            if vocab < 2:
                raise InputError("--tokens needs --vocab, the model's vocabulary size")
            ids = json.loads(tokens.read_text(encoding="utf-8"))
            result = GreenList(vocab, key or DEFAULT_KEY).detect(ids).to_dict()
        else:
            body = sys.stdin.read() if text == "-" else text
            found = zw_detect(body)
            result = {"found": found is not None, "payload": found}
        if not emit_data(result, fmt):
            console.print(table(None, ["field", "value"], list(result.items())))
        sys.exit(0 if result["found"] else 1)

    label_app.add_typer(text_app, name="text-watermark")
    app.add_typer(label_app, name="label")
