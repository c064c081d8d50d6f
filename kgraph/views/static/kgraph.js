// kgraph's pages: the SPARQL editor (run, example buttons, readable results), the named-query menu,
// and the neighbourhood drawing (cytoscape.js, served from the package: the machine may be offline).
"use strict";
(function () {
  var PREFIXES = {
    "https://w3id.org/kgraph/ontology#": "kg:",
    "http://data.europa.eu/eli/ontology#": "eli:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
  };
  var NUMERIC = /#(integer|decimal|double|float|long|int|nonNegativeInteger|positiveInteger)$/;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;  // text, never HTML
    return e;
  }

  function shortIri(iri) {
    for (var ns in PREFIXES) if (iri.indexOf(ns) === 0) return PREFIXES[ns] + iri.slice(ns.length);
    var i = Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#"));
    return i > 0 && i < iri.length - 1 ? decodeURIComponent(iri.slice(i + 1)) : iri;
  }

  // One SPARQL JSON term as a table cell: IRIs as links to their page, numbers as numbers, dates as dates.
  function cell(term, labels) {
    var td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = el("a", { href: "/instrument?iri=" + encodeURIComponent(term.value), title: term.value },
        labels[term.value] || shortIri(term.value));
      td.appendChild(a);
    } else if (term.datatype && NUMERIC.test(term.datatype)) {
      td.className = "num";
      td.textContent = Number(term.value).toLocaleString("vi-VN");
    } else {
      if (term.datatype && /#date$/.test(term.datatype)) td.className = "date";
      td.textContent = term.value;
    }
    return td;
  }

  function table(json, labels) {
    var vars = json.head.vars, t = el("table", { "class": "results" }), tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("th", {}, v)); });
    t.appendChild(el("thead")).appendChild(tr);
    var body = t.appendChild(el("tbody"));
    json.results.bindings.forEach(function (b) {
      var row = el("tr");
      vars.forEach(function (v) { row.appendChild(cell(b[v], labels)); });
      body.appendChild(row);
    });
    return t;
  }

  function post(query) {
    return fetch("/query", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" },
      body: query,
    }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t || r.statusText); });
      return r.json();
    });
  }

  // Labels of the IRIs a result holds, asked in one more query (IRIs from the store's own answer).
  function labelsOf(json) {
    var iris = {};
    (json.results ? json.results.bindings : []).forEach(function (b) {
      for (var k in b) if (b[k].type === "uri" && !/[<>"{}|^`\\\s]/.test(b[k].value)) iris[b[k].value] = 1;
    });
    var list = Object.keys(iris).slice(0, 500);
    if (!list.length) return Promise.resolve({});
    var q = "SELECT ?s ?l WHERE { VALUES ?s { " + list.map(function (i) { return "<" + i + ">"; }).join(" ") +
      " } ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }";
    return post(q).then(function (j) {
      var out = {};
      j.results.bindings.forEach(function (b) { out[b.s.value] = b.l.value; });
      return out;
    }).catch(function () { return {}; });
  }

  function setupEditor() {
    var ta = document.getElementById("sparql"), run = document.getElementById("run");
    if (!ta || !run) return;
    var status = document.getElementById("status"), out = document.getElementById("results");
    document.querySelectorAll(".examples button").forEach(function (b) {
      b.addEventListener("click", function () { ta.value = b.getAttribute("data-query"); });
    });
    run.addEventListener("click", function () {
      status.textContent = "đang chạy…";
      out.textContent = "";
      out.removeAttribute("data-rows");
      var t0 = performance.now();
      post(ta.value).then(function (json) {
        if (!json.head || !json.head.vars) {  // ASK
          status.textContent = String(json.boolean);
          return;
        }
        return labelsOf(json).then(function (labels) {
          out.appendChild(table(json, labels));
          status.textContent = json.results.bindings.length + " dòng, " + Math.round(performance.now() - t0) + " ms";
          out.setAttribute("data-rows", String(json.results.bindings.length));
        });
      }).catch(function (e) {
        status.textContent = "";
        out.appendChild(el("p", { "class": "error" }, e.message));
      });
    });
  }

  function setupNamed() {
    var sel = document.getElementById("named-name"), arg = document.getElementById("named-arg");
    if (!sel || !arg) return;
    var doc = document.getElementById("named-doc");
    function sync() {
      var o = sel.options[sel.selectedIndex];
      arg.placeholder = o.getAttribute("data-hint") || "";
      arg.disabled = !o.getAttribute("data-hint");
      if (doc) doc.textContent = o.getAttribute("data-doc") || "";
    }
    sel.addEventListener("change", sync);
    sync();
  }

  // The :play command for the Neo4j Browser guide this server hands out, with X as the user types it.
  // Escape only what would change the URL's meaning: the Browser reads "Nghị định 163/2016" as typed.
  function readable(s) {
    return s.replace(/[%&#+?]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); });
  }

  function setupPlay() {
    var x = document.getElementById("play-x"), out = document.getElementById("play-command");
    if (!x || !out) return;
    function sync() {
      var host = location.hostname === "127.0.0.1" ? "localhost" : location.hostname;  // the Browser's allowlist
      out.textContent = ":play " + location.protocol + "//" + host + (location.port ? ":" + location.port : "") +
        "/neo4j/kgraph-guide.html" + (x.value.trim() ? "?x=" + readable(x.value.trim()) : "");
    }
    x.addEventListener("input", sync);
    sync();
  }

  function setupGraph() {
    var box = document.getElementById("graph"), data = document.getElementById("graph-data");
    if (!box || !data || typeof cytoscape === "undefined") return;
    var g = JSON.parse(data.textContent);
    var cy = cytoscape({
      container: box,
      elements: g.elements,
      minZoom: 0.2,
      maxZoom: 1.3,  // a small neighbourhood is not blown up to fill the box
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 11, "text-wrap": "ellipsis", "text-max-width": 180,
          "background-color": "#9aa5b8", "width": 18, "height": 18, "color": "#1d2330", "text-valign": "bottom",
          "text-margin-y": 3, "text-background-color": "#ffffff", "text-background-opacity": 0.85,
          "text-background-padding": 2 } },
        { selector: "node[centre = 1]", style: { "background-color": "#1f5fbf", "width": 34, "height": 34, "font-size": 13,
          "font-weight": "bold", "text-valign": "top", "text-margin-y": -4 } },
        { selector: "edge", style: { "width": 2, "curve-style": "bezier", "target-arrow-shape": "triangle",
          "line-color": "data(colour)", "target-arrow-color": "data(colour)" } },
      ],
      layout: { name: "concentric", concentric: function (n) { return n.data("centre") ? 2 : 1; },
        levelWidth: function () { return 1; }, minNodeSpacing: 60, padding: 30, animate: false },
    });
    cy.on("tap", "node", function (e) {
      var id = e.target.id();
      if (!e.target.data("centre")) window.location.href = "/instrument?iri=" + encodeURIComponent(id);
    });
    window.kgCy = cy;
    box.setAttribute("data-nodes", String(cy.nodes().length));
    box.setAttribute("data-edges", String(cy.edges().length));
    box.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", function () { setupEditor(); setupNamed(); setupPlay(); setupGraph(); });
})();
