"""`kg annotate`: a document with its references marked, as one HTML file (a thin layer over kgraph.views)."""

from __future__ import annotations

import sys

import click


@click.command("annotate")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="The HTML file to write (standard output if not given).")
@click.option("--link", "link", default=None, metavar="URL",
              help="Link each citation to its instrument's page on a `kg serve` at URL (e.g. http://localhost:7878).")
def annotate_cmd(file: str, out: str | None, link: str | None) -> None:
    """Write FILE's text as HTML with each reference highlighted: its relation, instrument and pinpoint on hover."""
    from kgraph.reader import InputError
    from kgraph.views.annotate import annotate_file

    if link is not None and not link.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--link")
    try:
        html = annotate_file(file, link_base=link)
    except InputError as e:
        raise click.ClickException(f"{e.source}: {e.problem}") from None
    if out is None:
        sys.stdout.write(html)
        return
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    click.echo(f"wrote {out}", err=True)


VIEW_COMMANDS = [annotate_cmd]
