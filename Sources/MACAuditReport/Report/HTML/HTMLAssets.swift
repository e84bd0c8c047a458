/// The HTML report's style sheet and its one script. The script reads the page's data block
/// (`#macaudit-data`) and renders the findings table a page at a time: filters (severity, check,
/// cluster, status, host, free text), sorting by any column, pages; the state lives in the URL's
/// fragment (`#severity=error&q=web1`), so a filtered view can be bookmarked or sent. It builds
/// every cell with `textContent`, never markup from data, and the page's Content-Security-Policy
/// lets only this script (by its SHA-256) run.
enum HTMLAssets {
    static let style = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
        h2 { margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f4f6f8; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        .critical { color: #8b008b; } .error { color: #b00020; } .warning { color: #a06000; } .info { color: #00608a; }
        .boxes { display: flex; gap: 1em; margin: 1em 0; }
        .box { border: 1px solid #ccc; border-radius: 6px; padding: 0.5em 1.2em; text-align: center; min-width: 6em; }
        .box b { display: block; font-size: 26px; }
        small, .meta { color: #666; }
        .chip { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e8e8e8; }
        .chip.new { background: #ffe0b2; } .chip.persisting { background: #e3e8ee; } .chip.accepted { background: #d7f0d7; }
        #controls { display: flex; flex-wrap: wrap; gap: 0.6em; align-items: center; margin: 0.5em 0; }
        #controls label { font-size: 13px; color: #444; }
        #findings-table { width: 100%; }
        #findings-table th[data-sort] { cursor: pointer; user-select: none; }
        #findings-table th[aria-sort=ascending]::after { content: " \\25B2"; }
        #findings-table th[aria-sort=descending]::after { content: " \\25BC"; }
        #findings-table td.mac { font-family: ui-monospace, monospace; white-space: nowrap; }
        #findings-table.no-status th:nth-child(3), #findings-table.no-status td:nth-child(3) { display: none; }
        details summary { cursor: pointer; color: #555; font-size: 12px; }
        .pager { display: flex; gap: 0.8em; align-items: center; }
        svg text { font: 11px system-ui, sans-serif; fill: #444; }
        """

    /// Columns of a finding in the data block: [severity, check, status, [clusters], [hosts], mac,
    /// message, id, [[source, where]]], the first five and each source as indices into the
    /// block's lists.
    static let script = """
        (function () {
          "use strict";
          var data = JSON.parse(document.getElementById("macaudit-data").textContent);
          var F = data.findings, S = data.severities, C = data.checks, K = data.clusters, H = data.hosts, T = data.statuses, D = data.sources;
          var state = { severity: "", check: "", cluster: "", status: "", host: "", q: "", sort: "severity", desc: "0", page: "1", size: "100" };
          function el(id) { return document.getElementById(id); }
          function readHash() {
            var p = new URLSearchParams(location.hash.slice(1));
            Object.keys(state).forEach(function (k) { if (p.has(k)) state[k] = p.get(k); });
          }
          function writeHash() {
            var p = new URLSearchParams();
            Object.keys(state).forEach(function (k) { if (state[k] !== "" && !(k === "page" && state[k] === "1")) p.set(k, state[k]); });
            history.replaceState(null, "", "#" + p.toString());
          }
          function fill(select, values, all) {
            var o = document.createElement("option"); o.value = ""; o.textContent = all; select.appendChild(o);
            values.forEach(function (v) { if (v === "") return; var x = document.createElement("option"); x.value = v; x.textContent = v; select.appendChild(x); });
          }
          fill(el("f-severity"), S, "every severity");
          fill(el("f-check"), C.slice().sort(), "every check");
          fill(el("f-cluster"), K.slice().sort(), "every cluster");
          fill(el("f-status"), T, "every status");
          if (T.length < 2) { el("f-status").parentNode.hidden = true; el("findings-table").classList.add("no-status"); }
          var hostList = el("hosts");
          H.slice().sort().forEach(function (h) { var o = document.createElement("option"); o.value = h; hostList.appendChild(o); });
          var lower = new Array(F.length);
          function haystack(i) {
            if (lower[i] === undefined) {
              var f = F[i];
              lower[i] = [f[5], f[6], f[7], C[f[1]], f[4].map(function (h) { return H[h]; }).join(" ")].join(" ").toLowerCase();
            }
            return lower[i];
          }
          function matches(i) {
            var f = F[i];
            if (state.severity !== "" && S[f[0]] !== state.severity) return false;
            if (state.check !== "" && C[f[1]] !== state.check) return false;
            if (state.status !== "" && T[f[2]] !== state.status) return false;
            if (state.cluster !== "" && !f[3].some(function (c) { return K[c] === state.cluster; })) return false;
            if (state.host !== "") {
              var h = state.host.toLowerCase();
              if (!f[4].some(function (x) { return H[x].toLowerCase().indexOf(h) >= 0; })) return false;
            }
            if (state.q !== "") {
              var text = haystack(i), words = state.q.toLowerCase().split(/\\s+/);
              for (var w = 0; w < words.length; w++) if (words[w] !== "" && text.indexOf(words[w]) < 0) return false;
            }
            return true;
          }
          var keys = {
            severity: function (f) { return f[0]; },
            check: function (f) { return C[f[1]]; },
            status: function (f) { return T[f[2]]; },
            cluster: function (f) { return f[3].length ? K[f[3][0]] : ""; },
            host: function (f) { return f[4].length ? H[f[4][0]] : ""; },
            mac: function (f) { return f[5]; },
            message: function (f) { return f[6]; }
          };
          function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
          function row(f) {
            var tr = document.createElement("tr"); tr.className = "finding";
            cell(tr, S[f[0]], S[f[0]]);
            cell(tr, C[f[1]]);
            var st = cell(tr, "");
            if (T[f[2]] !== "") { var chip = document.createElement("span"); chip.className = "chip " + T[f[2]]; chip.textContent = T[f[2]]; st.appendChild(chip); }
            cell(tr, f[3].map(function (c) { return K[c]; }).join(", "));
            cell(tr, f[4].map(function (h) { return H[h]; }).join(", "));
            cell(tr, f[5], "mac");
            var m = cell(tr, f[6]);
            var d = document.createElement("details"), s = document.createElement("summary");
            s.textContent = "evidence (" + f[8].length + ") and id"; d.appendChild(s);
            var ul = document.createElement("ul");
            f[8].map(function (e) { return D[e[0]] + " " + e[1]; }).concat(["id " + f[7]]).forEach(function (t) {
              var li = document.createElement("li"); li.textContent = t; ul.appendChild(li);
            });
            d.appendChild(ul); m.appendChild(d);
            return tr;
          }
          function render() {
            var shown = [];
            for (var i = 0; i < F.length; i++) if (matches(i)) shown.push(i);
            var key = keys[state.sort] || keys.severity, sign = state.desc === "1" ? -1 : 1;
            shown.sort(function (a, b) {
              var x = key(F[a]), y = key(F[b]);
              return x < y ? -sign : x > y ? sign : a - b;
            });
            var size = Math.max(10, parseInt(state.size, 10) || 100), pages = Math.max(1, Math.ceil(shown.length / size));
            var page = Math.min(pages, Math.max(1, parseInt(state.page, 10) || 1));
            state.page = String(page);
            var body = document.createElement("tbody"); body.id = "rows";
            shown.slice((page - 1) * size, page * size).forEach(function (i) { body.appendChild(row(F[i])); });
            el("rows").replaceWith(body);
            var first = shown.length ? (page - 1) * size + 1 : 0, last = Math.min(shown.length, page * size);
            el("shown").textContent = "Findings " + first.toLocaleString("en-US") + "\\u2013" + last.toLocaleString("en-US") + " of " +
              shown.length.toLocaleString("en-US") + " shown (" + F.length.toLocaleString("en-US") + " in all); page " + page + " of " + pages;
            el("prev").disabled = page <= 1; el("next").disabled = page >= pages;
            document.querySelectorAll("#findings-table th[data-sort]").forEach(function (th) {
              if (th.dataset.sort === state.sort) th.setAttribute("aria-sort", state.desc === "1" ? "descending" : "ascending"); else th.removeAttribute("aria-sort");
            });
            ["severity", "check", "cluster", "status", "host", "q", "size"].forEach(function (k) { if (el("f-" + k).value !== state[k]) el("f-" + k).value = state[k]; });
          }
          function update() { render(); writeHash(); }
          ["severity", "check", "cluster", "status", "size"].forEach(function (k) {
            el("f-" + k).addEventListener("change", function (e) { state[k] = e.target.value; state.page = "1"; update(); });
          });
          var timer = null;
          ["q", "host"].forEach(function (k) {
            el("f-" + k).addEventListener("input", function (e) {
              clearTimeout(timer);
              timer = setTimeout(function () { state[k] = e.target.value; state.page = "1"; update(); }, 150);
            });
          });
          el("prev").addEventListener("click", function () { state.page = String(parseInt(state.page, 10) - 1); update(); });
          el("next").addEventListener("click", function () { state.page = String(parseInt(state.page, 10) + 1); update(); });
          document.querySelectorAll("#findings-table th[data-sort]").forEach(function (th) {
            th.addEventListener("click", function () {
              if (state.sort === th.dataset.sort) state.desc = state.desc === "1" ? "0" : "1"; else { state.sort = th.dataset.sort; state.desc = "0"; }
              update();
            });
          });
          window.addEventListener("hashchange", function () { readHash(); render(); });
          readHash();
          el("table-view").hidden = false;
          render();
          document.documentElement.dataset.ready = String(Math.round(performance.now()));
        })();
        """

    /// `'sha256-…'` of ``script``, for the page's Content-Security-Policy.
    static let scriptHash = "'sha256-" + SHA256.base64(SHA256.digest(Array(script.utf8))) + "'"
}
