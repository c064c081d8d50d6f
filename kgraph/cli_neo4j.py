"""``kg neo4j start|stop|status``: a local Neo4j 5.26 server without Docker (see docs/neo4j.md).

Registered in the main CLI with ``main.add_command(neo4j_group)``; also runs on its own as
``python -m kgraph.cli_neo4j`` so CI needs no installed entry point.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from kgraph.neo4j.connection import Neo4jServerError

if TYPE_CHECKING:
    from kgraph.neo4j import server as srv

# kgraph.neo4j.server is imported by the commands: every `kg` command builds this group.


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


@click.group("neo4j")
def neo4j_group() -> None:
    """Run a local Neo4j Community 5.26 server (jars from Maven Central, cached under ~/.cache/kgraph)."""


@neo4j_group.command("start")
@click.option("--wait/--no-wait", default=True, show_default=True, help="Wait until Bolt answers.")
@click.option("--timeout", type=float, default=180.0, show_default=True, help="Seconds to wait for Bolt.")
def start_cmd(wait: bool, timeout: float) -> None:
    """Install (first time only) and start the server in the background; idempotent."""
    from kgraph.neo4j import server as srv

    try:
        srv.start(wait=wait, timeout=timeout, echo=click.echo)
    except Neo4jServerError as e:
        raise click.ClickException(str(e)) from None


@neo4j_group.command("stop")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds before SIGKILL.")
def stop_cmd(timeout: float) -> None:
    """Stop the server (clean shutdown); not an error if it is not running."""
    from kgraph.neo4j import server as srv

    try:
        srv.stop(timeout=timeout, echo=click.echo)
    except Neo4jServerError as e:
        raise click.ClickException(str(e)) from None


@neo4j_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_cmd(as_json: bool) -> None:
    """Say whether the server runs (exit 0) or not (exit 3), with pid, ports, version and memory."""
    from kgraph.neo4j import server as srv

    try:
        st = srv.status()
    except Neo4jServerError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(json.dumps({k: (str(v) if v is not None and not isinstance(v, (bool, int, float)) else v)
                               for k, v in _fields(st).items()}, indent=2))
    elif st.running:
        click.echo(f"Neo4j is running: pid {st.pid}, home {st.home}")
        click.echo(f"  Bolt:     {st.bolt_uri}")
        click.echo(f"  Browser:  {st.browser_url}")
        if st.version:
            click.echo(f"  Version:  {st.version} {st.edition}")
        else:
            click.echo(f"  Version:  unknown (Bolt query failed: {st.error})")
        if st.rss_mib is not None:
            click.echo(f"  Memory:   {st.rss_mib:.0f} MiB resident")
        click.echo(f"  Password: in {st.credentials_file}")
    else:
        click.echo(f"Neo4j is not running (home {st.home}); start it with `kg neo4j start`.")
    if not st.running:
        sys.exit(3)


def _fields(st: srv.ServerStatus) -> dict[str, object]:
    return {name: getattr(st, name) for name in st.__dataclass_fields__}


if __name__ == "__main__":
    neo4j_group(prog_name="python -m kgraph.cli_neo4j")
