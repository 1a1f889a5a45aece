// The search page: papers come as script files (so the page works from disk too), every text is
// put in with textContent, and the query lives in the URL.
window.mapdaily = (function () {
  "use strict";
  var LIMIT = 100;
  var folder = document.body.getAttribute("data-folder");
  var field = function (id) { return document.getElementById(id); };
  var q = field("q"), from = field("from"), to = field("to"), aff = field("aff");
  var status = field("status"), results = field("results");
  var index = null, byId = {}, months = [], current = null, readme = "";
  var pending = 0, papersLoaded = {}, notesWanted = {}, notesLoading = 0, timer = null;

  function load(name) {
    var script = document.createElement("script");
    script.src = folder + "/" + name;
    script.charset = "utf-8";
    script.onerror = function () { status.textContent = "Could not load " + folder + "/" + name + "."; };
    document.body.appendChild(script);
  }

  // On github.io pages are served as .html and the README as the folder's page; from disk, as they are.
  function pageHref(rel) {
    if (location.protocol === "file:") return rel;
    if (/(^|\/)README\.md$/i.test(rel)) return rel.replace(/README\.md$/i, "") || "./";
    return rel.replace(/\.md$/i, ".html");
  }

  function readForm() {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    from.value = params.get("from") || "";
    to.value = params.get("to") || "";
    aff.value = params.get("aff") || "";
  }

  function keepInUrl() {
    var params = new URLSearchParams();
    [q, from, to, aff].forEach(function (input) { if (input.value.trim()) params.set(input.name, input.value.trim()); });
    var search = params.toString() ? "?" + params.toString() : "";
    if (search !== location.search) {
      try { history.replaceState(null, "", location.pathname + search + location.hash); } catch (e) { /* some browsers refuse on file: */ }
    }
  }

  // Comments are loaded when a search needs them: the months of the date range, newest first.
  function wantNotes() {
    months.forEach(function (name) {
      if (!papersLoaded[name] || notesWanted[name] || (from.value && name < from.value.slice(0, 7)) || (to.value && name > to.value.slice(0, 7))) return;
      notesWanted[name] = true;
      notesLoading++;
      load(name + ".notes.js");
    });
  }

  // Words: runs between spaces, punctuation and symbols (so "<b>bold</b>" holds "b" and "bold").
  function tokenize(text) { return text.split(/[\s\p{P}\p{S}]+/u).filter(Boolean); }
  function terms(text) { return tokenize(text.toLowerCase()); }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // ``text`` into ``el`` as text nodes, the query's words in <mark>s.
  function fill(el, text, words) {
    if (!words.length) { el.textContent = text; return; }
    var parts = text.split(new RegExp("(" + words.map(escapeRe).join("|") + ")", "giu"));
    parts.forEach(function (part, i) {
      if (!part) return;
      if (i % 2) { var mark = document.createElement("mark"); mark.textContent = part; el.appendChild(mark); }
      else el.appendChild(document.createTextNode(part));
    });
  }

  function excerpt(text, words) {
    if (text.length <= 400) return text;
    var lower = text.toLowerCase(), at = -1;
    words.forEach(function (w) { var i = lower.indexOf(w); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - 150);
    return (start ? "…" : "") + text.slice(start, start + 400) + (start + 400 < text.length ? "…" : "");
  }

  function show(doc, words) {
    var li = document.createElement("li");
    var title = document.createElement(/^https?:\/\//i.test(doc.url) ? "a" : "span");
    title.className = "title";
    if (title.tagName === "A") title.href = doc.url;
    fill(title, doc.title, words);
    li.appendChild(title);
    var meta = document.createElement("div");
    meta.className = "meta";
    var time = document.createElement("time");
    time.textContent = doc.date;
    meta.appendChild(time);
    if (doc.aff) {
      meta.appendChild(document.createTextNode(" · "));
      var a = document.createElement("span");
      a.className = "affiliation";
      fill(a, doc.aff, words);
      meta.appendChild(a);
    }
    meta.appendChild(document.createTextNode(" · "));
    var week = document.createElement("a");
    week.className = "week";
    week.href = pageHref(current && doc.date >= current ? readme : doc.page);
    week.textContent = current && doc.date >= current ? "this week" : "its week";
    meta.appendChild(week);
    li.appendChild(meta);
    if (doc.comment) {
      var p = document.createElement("p");
      p.className = "comment";
      fill(p, excerpt(doc.comment, words), words);
      li.appendChild(p);
    }
    results.appendChild(li);
  }

  function run() {
    timer = null;
    if (index === null) return;
    keepInUrl();
    var text = q.value.trim(), since = from.value, until = to.value, who = aff.value.trim().toLowerCase();
    var scores = {}, list = [];
    if (text) {
      wantNotes();
      index.search(text, { prefix: true, fuzzy: 0.2, combineWith: "AND", boost: { title: 2 } })
        .forEach(function (r) { scores[r.id] = r.score; list.push(byId[r.id]); });
    } else if (since || until || who) {
      list = Object.keys(byId).map(function (id) { return byId[id]; });
    }
    list = list.filter(function (d) {
      return d && (!since || d.date >= since) && (!until || d.date <= until) && (!who || d.aff.toLowerCase().indexOf(who) >= 0);
    });
    list.sort(function (a, b) { return (scores[b.id] || 0) - (scores[a.id] || 0) || (a.date < b.date ? 1 : a.date > b.date ? -1 : 0); });
    results.textContent = "";
    var words = terms(text);
    list.slice(0, LIMIT).forEach(function (d) { show(d, words); });
    var total = Object.keys(byId).length;
    var loading = pending ? " (still loading " + pending + " months)" : notesLoading ? " (loading comments)" : "";
    if (!text && !since && !until && !who) status.textContent = "Type to search " + total + " papers" + loading + ".";
    else status.textContent = list.length + " of " + total + " papers match" + (list.length > LIMIT ? ", the first " + LIMIT + " shown" : "") + loading + ".";
  }

  function schedule() { if (timer === null) timer = setTimeout(run, 20); }

  readForm();
  [q, from, to, aff].forEach(function (input) { input.addEventListener("input", schedule); });
  field("form").addEventListener("submit", function (e) { e.preventDefault(); run(); });
  Array.prototype.forEach.call(document.querySelectorAll("a.page"), function (a) { a.href = pageHref(a.getAttribute("href")); });

  return {
    manifest: function (info) {
      months = info.months;
      current = info.current;
      readme = info.readme;
      index = new MiniSearch({ fields: ["title", "aff", "comment"], storeFields: [], tokenize: tokenize });
      pending = months.length;
      months.forEach(function (name) { load(name + ".js"); });
      schedule();
    },
    papers: function (month, days) {
      var batch = [];
      days.forEach(function (day, i) {
        day[2].forEach(function (p, j) {
          var doc = { id: month + ":" + i + ":" + j, date: day[0], page: day[1], title: p[0], url: p[1], aff: p[2], comment: "" };
          byId[doc.id] = doc;
          batch.push(doc);
        });
      });
      index.addAll(batch);
      papersLoaded[month] = true;
      pending--;
      schedule();
    },
    notes: function (month, rows) {
      rows.forEach(function (row) {
        var doc = byId[month + ":" + row[0] + ":" + row[1]];
        if (!doc) return;
        doc.comment = row[2];
        index.replace(doc);
      });
      notesLoading--;
      schedule();
    }
  };
})();
