// Sahel KG report: unpack the data, draw each chart with Vega-Embed (SVG), build the
// tables, and show the claims behind whatever is clicked. Nothing is fetched.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var panel = document.getElementById("claims");
  var body = document.getElementById("claims-body");
  var DATA = null;
  var selectedRow = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  async function unpack() {
    var text = document.getElementById("kg-data").textContent.trim();
    if (typeof DecompressionStream === "undefined") {
      throw new Error("this browser cannot unpack the report's data (it needs DecompressionStream: " +
                      "Chrome 80, Firefox 113, Safari 16.4 or later)");
    }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  function show(key, row) {
    var mark = DATA.marks[key];
    if (!mark) return;
    if (selectedRow) selectedRow.classList.remove("selected");
    selectedRow = row || document.querySelector('tr[data-key="' + key + '"]');
    if (selectedRow) selectedRow.classList.add("selected");
    var title = mark[0], cells = mark[1], claims = mark[2], iri = mark[3], note = mark[4];
    var section = DATA.sectionOf[key];
    body.textContent = "";
    body.appendChild(el("h3", {text: title}));
    var dl = el("dl");
    (section ? section.columns : []).forEach(function (column, i) {
      if (!cells[i]) return;
      dl.appendChild(el("dt", {text: column}));
      dl.appendChild(el("dd", {text: cells[i]}));
    });
    if (iri) {
      dl.appendChild(el("dt", {text: "IRI"}));
      dl.appendChild(el("dd", {}, [el("code", {text: iri})]));
    }
    body.appendChild(dl);
    if (note) body.appendChild(el("p", {className: "note", text: note}));
    body.appendChild(el("p", {className: "note", text: claims.length + " claim" +
                               (claims.length === 1 ? "" : "s") + ":"}));
    claims.forEach(function (index) {
      var c = DATA.claims[index], d = DATA.documents[c[1]];
      var item = el("div", {className: "claim " + c[5], "data-claim": c[6]});
      item.appendChild(el("blockquote", {text: c[0]}));
      item.appendChild(el("div", {className: "meta"}, [
        el("span", {className: "polarity", text: c[5]}), document.createTextNode(" · according to " + c[4])]));
      item.appendChild(el("div", {className: "meta", text:
        (d[1] ? "“" + d[1] + "”, " : "") + (d[3] || "unknown publisher") + ", " + (d[2] || "undated")}));
      item.appendChild(el("div", {className: "meta"}, [
        document.createTextNode("document " + d[0] + ", characters " + c[2] + "–" + c[3] + " · "),
        el("code", {text: c[6]})]));
      body.appendChild(item);
    });
    panel.hidden = false;
    document.body.classList.add("panel-open");
  }

  function table(section) {
    var head = el("tr", {}, section.columns.map(function (c) { return el("th", {text: c}); }));
    var rows = section.marks.map(function (key) {
      var cells = DATA.marks[key][1];
      var tr = el("tr", {"data-key": key, tabindex: "0"}, cells.map(function (value, i) {
        return el("td", {text: value, className: section.columns[i] === "documents" ? "docs" : ""});
      }));
      tr.addEventListener("click", function () { show(key, tr); });
      tr.addEventListener("keydown", function (e) { if (e.key === "Enter") show(key, tr); });
      return tr;
    });
    return el("table", {"data-section": section.id}, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  async function chart(target, spec) {
    var result = await vegaEmbed(target, spec, {renderer: "svg", actions: false, logLevel: 1 /* vega.Error */});
    result.view.addEventListener("click", function (event, item) {
      if (item && item.datum && item.datum.k) show(item.datum.k);
    });
  }

  async function main() {
    DATA = await unpack();
    DATA.sectionOf = {};
    DATA.sections.forEach(function (s) { s.marks.forEach(function (k) { DATA.sectionOf[k] = s; }); });
    var jobs = [];
    if (DATA.legend) jobs.push(chart(document.getElementById("legend"), DATA.legend));
    DATA.sections.forEach(function (s) {
      var holder = document.querySelector('.sections[data-group="' + s.group + '"]');
      var article = el("article", {id: s.id, className: "section " + s.kind, "data-iri": s.iri || ""},
                       [el("h3", {text: s.title})]);
      if (s.note) article.appendChild(el("p", {className: "note", text: s.note}));
      if (s.spec) {
        var target = el("div", {className: "chart", "data-chart": s.id});
        article.appendChild(target);
        jobs.push(chart(target, s.spec));
      }
      if (s.marks.length) {
        var details = el("details", {}, [el("summary", {text: "Table (" + s.marks.length + " rows)"}), table(s)]);
        if (s.kind !== "map") details.open = s.marks.length <= 12;
        article.appendChild(details);
      }
      holder.appendChild(article);
    });
    await Promise.all(jobs);
    status.textContent = "";
    document.body.setAttribute("data-rendered", "true");
  }

  document.getElementById("claims-close").addEventListener("click", function () {
    panel.hidden = true;
    document.body.classList.remove("panel-open");
  });
  main().catch(function (error) {
    status.textContent = "The report could not be drawn: " + error.message;
    status.className = "status error";
    document.body.setAttribute("data-rendered", "error");
  });
})();
