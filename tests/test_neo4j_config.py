"""The Neo4j server kgraph assembles: Browser telemetry off, guides from this machine only (issue 12: the Browser
showed a telemetry banner and called outside services). The Browser side is in test_neo4j_guide_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_config_turns_browser_telemetry_off_and_keeps_guides_local(tmp_path: Path) -> None:
    from kgraph.neo4j.install import write_config

    lines = write_config(tmp_path).read_text("utf-8").splitlines()
    assert "client.allow_telemetry=false" in lines
    assert "dbms.usage_report.enabled=false" in lines
    allow = [ln for ln in lines if ln.startswith("browser.remote_content_hostname_whitelist=")]
    assert allow == ["browser.remote_content_hostname_whitelist=localhost,127.0.0.1"]  # not guides.neo4j.com
    # an Enterprise setting: Community's strict config validation would refuse to start with it
    assert not any(ln.startswith("browser.allow_outgoing_connections") for ln in lines)


def test_browser_pages_may_reach_this_machine_only(tmp_path: Path) -> None:
    """The Browser of 5.26 asks for canny.io, segment.com, Google's fonts and Sentry whatever Community's settings
    say: the policy sent with its pages names no other host."""
    import re

    from kgraph.neo4j.install import write_config

    key = "dbms.security.http_static_content_security_policy_header="
    csp = [ln[len(key):] for ln in write_config(tmp_path).read_text("utf-8").splitlines() if ln.startswith(key)]
    assert len(csp) == 1
    directives = {d.split()[0]: d.split()[1:] for d in csp[0].split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"]
    for name, sources in directives.items():
        for src in sources:
            host = re.sub(r"^[a-z]+://", "", src).split(":")[0]
            assert src.startswith("'") or src == "data:" or host in ("localhost", "127.0.0.1"), (name, src)
    assert "ws://127.0.0.1:*" in directives["connect-src"]  # Bolt from the Browser


def test_guide_param_lines_are_ones_the_browser_accepts() -> None:
    """Neo4j Browser 5 reads `:param x => {a: 1}` as a statement `a: 1` (a syntax error, seen in Chromium):
    a map must be written `:param x => ({a: 1})`. Every `:param` block of the guide sets a value that way."""
    import html
    import re

    from kgraph.paths import BROWSER_DIR

    blocks = [html.unescape(b) for b in re.findall(r'<pre class="[^"]*runnable">(.*?)</pre>',
                                                   (BROWSER_DIR / "kgraph-guide.html").read_text("utf-8"), re.S)]
    params = [b for b in blocks if b.startswith(":param ")]
    assert len(params) >= 10
    for b in params:
        m = re.fullmatch(r":param (\w+) => (.+)", b, re.S)
        assert m, b
        assert not m.group(2).lstrip().startswith("{"), b
    assert any(b.startswith(":param relationNames => ({") for b in params)


def test_extra_jvm_flags_reach_the_command_and_the_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KGRAPH_NEO4J_JVM_OPTS (the suite's private server: C1 only) is passed after kgraph's own flags, on the
    command line start() runs and in the conf's server.jvm.additional lines; unset, neither has it."""
    from kgraph.neo4j.install import JVM_FLAGS, write_config
    from kgraph.neo4j.server import server_command

    flag = "-XX:TieredStopAtLevel=1"
    monkeypatch.delenv("KGRAPH_NEO4J_JVM_OPTS", raising=False)
    assert flag not in server_command("java", tmp_path)
    assert f"server.jvm.additional={flag}" not in write_config(tmp_path).read_text("utf-8").splitlines()
    monkeypatch.setenv("KGRAPH_NEO4J_JVM_OPTS", f" {flag}  -Dkgraph.test=1 ")
    cmd = server_command("java", tmp_path)
    at = cmd.index(flag)
    assert cmd[at + 1] == "-Dkgraph.test=1" and at > max(cmd.index(f) for f in JVM_FLAGS)
    lines = write_config(tmp_path).read_text("utf-8").splitlines()
    assert f"server.jvm.additional={flag}" in lines and "server.jvm.additional=-Dkgraph.test=1" in lines
