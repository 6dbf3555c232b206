// The site's search: reads the static index that kb/search_index.py writes under
// search/idx/ (its docstring describes the files). Per query word it fetches one small
// shard (and, for a common word, that word's postings file), then the metadata and one
// passage of each result it shows; a phrase in quotes also fetches the shard of each pair
// of adjacent words, and typing fetches the vocabulary file of the word's first two
// letters (completions, "did you mean"). Everything from the index is put on the page as text
// (textContent), never as HTML. The query, order and facets live in the URL.
(function () {
  "use strict";
  var IDX = "idx/";
  var VERSION = 3; // kb.search_index.VERSION
  var PAGE = 10;
  var MAX_WORDS = 20; // a longer query searches its first twenty words
  var TIER_BOOST = 1; // relevance × (1 + TIER_BOOST × weight tier): see kb/search_units.py
  var SUGGESTIONS = 8;
  var BITS = { supports: 1, opposes: 2, mixed: 4 };
  var form = document.getElementById("kb-search");
  var input = form.querySelector("input[name=q]");
  var sortSelect = form.querySelector("select[name=sort]");
  var suggestBox = document.getElementById("kb-suggest");
  var didYouMean = document.getElementById("kb-didyoumean");
  var facetsBox = document.getElementById("kb-facets");
  var statusBox = document.getElementById("kb-status");
  var list = document.getElementById("kb-results");
  var more = document.getElementById("kb-more");
  var cache = new Map();
  var shards = new Map();
  var manifest = null;
  var columns = null;
  var tiers = null;
  var selected = {}; // facet name → Set of values
  var openFacets = new Set(["Kind", "Category"]);
  var generation = 0;
  var current = null;

  function fetchOnce(path, type) {
    if (!cache.has(path)) {
      var p = fetch(IDX + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        if (type === "json") return r.json();
        // Binary files are stored gzipped, whatever the host does.
        return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
      });
      p.catch(function () { cache.delete(path); });
      cache.set(path, p);
    }
    return cache.get(path);
  }

  function start() {
    return Promise.all([fetchOnce("manifest.json", "json"), fetchOnce("facets.bin", "bin")]).then(
      function (got) {
        if (got[0].version !== VERSION) {
          throw new Error("index version " + got[0].version + ", this page reads " + VERSION);
        }
        manifest = got[0];
        var all = new Uint8Array(got[1]);
        columns = manifest.facets.map(function (f, i) {
          return all.subarray(i * manifest.units, (i + 1) * manifest.units);
        });
        var n = manifest.facets.length;
        tiers = all.subarray(n * manifest.units, (n + 1) * manifest.units);
      }
    );
  }

  // Folding and word splitting as kb.search_index.words does for a query.
  function fold(s) {
    return s.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
  }
  // The words of ``q`` as lists: one word, or the parts of a hyphenated word ("opt-out"
  // → opt, out: a phrase) when every part is indexed, else its joined form ("e-mail" → email).
  // A word with a star after it ("licens*") is a prefix: it stays "licens*".
  function splitGroups(q) {
    var out = [];
    (fold(q).match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*\*?/gu) || []).forEach(function (w) {
      var star = w.slice(-1) === "*", parts = (star ? w.slice(0, -1) : w).split("-");
      var ok = function (p) { return p.length > 1 || /^\p{N}$/u.test(p); };
      if (parts.length > 1 && parts.every(ok)) out.push(parts);
      else if (ok(parts.join(""))) out.push([parts.join("") + (star ? "*" : "")]);
    });
    return out;
  }
  // The words of a phrase in quotes (a star there is not a prefix).
  function splitWords(q) {
    return [].concat.apply([], splitGroups(q)).map(function (w) { return w.replace(/\*$/, ""); });
  }
  // The query as parts: each a list of words, more than one for a phrase in quotes (an
  // unclosed quote runs to the end) or a hyphenated word; other words are parts of one.
  function queryParts(q) {
    var parts = [], pieces = q.split('"'), total = 0;
    pieces.forEach(function (piece, i) {
      if (i % 2 === 1) {
        var ws = splitWords(piece);
        if (ws.length) parts.push(ws);
      } else {
        splitGroups(piece).forEach(function (g) { parts.push(g); });
      }
    });
    return parts.filter(function (part) {
      total += part.length;
      return total <= MAX_WORDS;
    });
  }

  function fnv1a(s) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(s).forEach(function (b) {
      h = Math.imul(h ^ b, 0x01000193) >>> 0;
    });
    return h;
  }

  function Reader(buf, pos) {
    this.b = buf;
    this.i = pos || 0;
  }
  Reader.prototype.varint = function () {
    var n = 0, shift = 0, byte;
    do {
      byte = this.b[this.i++];
      n += (byte & 0x7f) * Math.pow(2, shift);
      shift += 7;
    } while (byte >= 0x80);
    return n;
  };
  Reader.prototype.string = function () {
    var len = this.varint();
    var s = new TextDecoder().decode(this.b.subarray(this.i, this.i + len));
    this.i += len;
    return s;
  };
  Reader.prototype.block = function () {
    var n = this.varint(), ids = new Uint32Array(n), pas = new Uint32Array(n), last = 0, k;
    for (k = 0; k < n; k++) ids[k] = last += this.varint();
    var imp = this.b.subarray(this.i, this.i + n);
    this.i += n;
    for (k = 0; k < n; k++) pas[k] = this.varint();
    return { ids: ids, imp: imp, pas: pas };
  };

  function shard(h) {
    if (!shards.has(h)) {
      shards.set(
        h,
        fetchOnce(h + ".bin", "bin").then(function (buf) {
          var r = new Reader(new Uint8Array(buf)), terms = new Map();
          while (r.i < r.b.length) {
            var term = r.string(), stem = r.string(), forms = [term];
            for (var k = r.varint(); k > 0; k--) forms.push(r.string());
            var entry = { stem: stem, forms: forms };
            if (r.varint() === 1) entry.file = r.varint(); else entry.postings = r.block();
            terms.set(term, entry);
          }
          return terms;
        })
      );
    }
    return shards.get(h);
  }

  // A word's entry (folder t), or a pair of adjacent words' groups (folder b).
  function lookup(word, pair) {
    var h = pair ? "b/" + (fnv1a(word) % manifest.phrase_shards) : "t/" + (fnv1a(word) % manifest.shards);
    return shard(h).then(function (terms) {
      var entry = terms.get(word);
      if (!entry) return null;
      var found = { word: word, stem: entry.stem, forms: entry.forms, postings: entry.postings };
      if (found.postings) return found;
      return fetchOnce("p/" + entry.file + ".bin", "bin").then(function (buf) {
        found.postings = new Reader(new Uint8Array(buf)).block();
        return found;
      });
    });
  }

  function passes(id, skip) {
    for (var k = 0; k < manifest.facets.length; k++) {
      var f = manifest.facets[k], chosen = selected[f.name];
      if (k === skip || !chosen || !chosen.size) continue;
      var v = columns[k][id], ok = false;
      chosen.forEach(function (value) {
        if (f.bits ? v & BITS[value] : f.values[v - 1] === value) ok = true;
      });
      if (!ok) return false;
    }
    return true;
  }

  // Units holding every word (or all units when there are none), with summed impacts.
  function evaluate(found) {
    var n = manifest.units, hits = [], scores = null;
    if (!found.length) {
      for (var id = 0; id < n; id++) hits.push(id);
      return { hits: hits, scores: null };
    }
    scores = new Float32Array(n);
    var count = new Uint8Array(n);
    found.forEach(function (t) {
      var p = t.postings;
      for (var k = 0; k < p.ids.length; k++) {
        scores[p.ids[k]] += p.imp[k];
        count[p.ids[k]]++;
      }
    });
    var rarest = found.reduce(function (a, b) {
      return a.postings.ids.length <= b.postings.ids.length ? a : b;
    });
    rarest.postings.ids.forEach(function (id) {
      if (count[id] === found.length) {
        hits.push(id);
        scores[id] *= 1 + TIER_BOOST * tiers[id];
      }
    });
    return { hits: hits, scores: scores };
  }

  function order(hits, scores, sort) {
    var dated = manifest.dated;
    if (sort === "desc" || sort === "asc") {
      var withDate = hits.filter(function (id) { return id < dated; });
      var without = hits.filter(function (id) { return id >= dated; });
      if (sort === "desc") withDate.reverse();
      return withDate.concat(without);
    }
    if (!scores) return order(hits, null, "desc"); // browsing: newest first
    // "organisations first": bills, organisation pages and organisations' filings (tiers
    // 3 and 2) before individuals' comments; "individuals": the other way round.
    var group = function (id) {
      if (sort === "orgs") return tiers[id] >= 2 ? 0 : 1;
      if (sort === "people") return tiers[id] >= 2 ? 1 : 0;
      return 0;
    };
    return hits.slice().sort(function (a, b) {
      return group(a) - group(b) || scores[b] - scores[a] || b - a;
    });
  }

  function counts(hits) {
    return manifest.facets.map(function (f, k) {
      var c = new Map();
      hits.forEach(function (id) {
        if (!passes(id, k)) return;
        var v = columns[k][id];
        if (f.bits) {
          f.values.forEach(function (value) {
            if (v & BITS[value]) c.set(value, (c.get(value) || 0) + 1);
          });
        } else if (v) {
          c.set(f.values[v - 1], (c.get(f.values[v - 1]) || 0) + 1);
        }
      });
      return c;
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderFacets(tally) {
    facetsBox.textContent = "";
    var stanceHead = false;
    manifest.facets.forEach(function (f, k) {
      var chosen = selected[f.name] || new Set();
      var values = f.values.filter(function (v) { return tally[k].get(v) || chosen.has(v); });
      if (!values.length) return;
      if (f.issue && !stanceHead) {
        facetsBox.appendChild(el("p", "kb-facet-head", "Stance on an issue"));
        stanceHead = true;
      }
      var box = el("details", "kb-facet");
      box.open = openFacets.has(f.name) || chosen.size > 0;
      box.addEventListener("toggle", function () {
        if (box.open) openFacets.add(f.name); else openFacets.delete(f.name);
      });
      box.appendChild(el("summary", null, f.name));
      values.forEach(function (v) {
        var label = el("label", "kb-facet-value");
        var check = document.createElement("input");
        check.type = "checkbox";
        check.checked = chosen.has(v);
        check.addEventListener("change", function () {
          var set = selected[f.name] || (selected[f.name] = new Set());
          if (check.checked) set.add(v); else set.delete(v);
          run();
        });
        label.appendChild(check);
        label.appendChild(document.createTextNode(" " + v + " "));
        label.appendChild(el("span", "kb-facet-count", String(tally[k].get(v) || 0)));
        box.appendChild(label);
      });
      facetsBox.appendChild(box);
    });
  }

  function stanceChips(id) {
    var span = el("span", "kb-result-stances");
    manifest.facets.forEach(function (f, k) {
      if (!f.bits || !columns[k][id]) return;
      f.values.forEach(function (value) {
        if (columns[k][id] & BITS[value]) {
          span.appendChild(el("span", "stance stance-" + value, f.name + ": " + value));
          span.appendChild(document.createTextNode(" "));
        }
      });
    });
    return span;
  }

  function facetValue(name, id) {
    for (var k = 0; k < manifest.facets.length; k++) {
      if (manifest.facets[k].name === name) {
        var v = columns[k][id];
        return v ? manifest.facets[k].values[v - 1] : "";
      }
    }
    return "";
  }

  // The passage of unit ``id`` its words first occur in (rarer words weigh more).
  function bestPassage(id, found) {
    var votes = new Map(), best = 0;
    found.forEach(function (t) {
      var ids = t.postings.ids, lo = 0, hi = ids.length - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1;
        if (ids[mid] < id) lo = mid + 1; else if (ids[mid] > id) hi = mid - 1; else {
          var p = t.postings.pas[mid], weight = Math.log(1 + manifest.units / ids.length);
          votes.set(p, (votes.get(p) || 0) + weight);
          break;
        }
      }
    });
    votes.forEach(function (n, p) {
      if (n > (votes.get(best) || 0) || (n === votes.get(best) && p < best)) best = p;
    });
    return best;
  }

  // The file holding passage ``p`` of unit ``id`` (every unit has its first file, empty
  // for a unit without text, so it may be asked for before the unit's metadata is in).
  function passageFile(id, p) {
    return "x/" + id + "-" + Math.floor(p / manifest.group) + ".json";
  }

  // The passage a result's words first occur in, with those words marked.
  function snippet(target, id, nPassages, found, phrase) {
    if (!nPassages) return Promise.resolve();
    var best = Math.min(bestPassage(id, found), nPassages - 1);
    return fetchOnce(passageFile(id, best), "json").then(function (texts) {
      mark(target, texts[best % manifest.group] || "", found, phrase);
    });
  }

  // About SNIPPET characters of ``text`` around its first query word, those words marked.
  var SNIPPET = 240;
  function mark(target, text, found, phrase) {
    var forms = new Set();
    found.forEach(function (t) { t.forms.forEach(function (f) { forms.add(f); }); });
    var re = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu, m, spans = [];
    while ((m = re.exec(text))) {
      var w = fold(m[0]), parts = w.split("-").concat([w.split("-").join("")]);
      if (parts.some(function (part) { return forms.has(part); })) {
        spans.push([m.index, m.index + m[0].length]);
      }
    }
    var from = 0, to = text.length;
    if (text.length > SNIPPET) {
      var first = spans.length ? spans[0][0] : 0;
      // A phrase: around the first two marked words in a row.
      for (var k = 0; phrase && k + 1 < spans.length; k++) {
        if (!/[\p{L}\p{N}]/u.test(text.slice(spans[k][1], spans[k + 1][0]))) {
          first = spans[k][0];
          break;
        }
      }
      from = Math.max(0, text.lastIndexOf(" ", Math.max(0, first - SNIPPET / 3)));
      to = Math.min(text.length, from + SNIPPET);
      var space = text.indexOf(" ", to);
      to = space < 0 ? text.length : space;
    }
    var last = from;
    if (from > 0) target.appendChild(document.createTextNode("… "));
    spans.forEach(function (sp) {
      if (sp[0] < from || sp[1] > to) return;
      target.appendChild(document.createTextNode(text.slice(last, sp[0])));
      target.appendChild(el("mark", null, text.slice(sp[0], sp[1])));
      last = sp[1];
    });
    target.appendChild(document.createTextNode(text.slice(last, to).trim() === "" ? "" : text.slice(last, to)));
    if (to < text.length) target.appendChild(document.createTextNode(" …"));
  }

  function showPage(state) {
    var ids = state.ordered.slice(state.shown, state.shown + PAGE);
    state.shown += ids.length;
    var block = manifest.doc_block;
    var blocks = Array.from(new Set(ids.map(function (id) { return Math.floor(id / block); })));
    // The passages are asked for at once, beside the metadata, not one round trip after it.
    ids.forEach(function (id) {
      fetchOnce(passageFile(id, bestPassage(id, state.found)), "json").catch(function () {});
    });
    return Promise.all(blocks.map(function (b) { return fetchOnce("d/" + b + ".json", "json"); })).then(
      function (got) {
        if (state.generation !== generation) return;
        var meta = new Map();
        blocks.forEach(function (b, i) { meta.set(b, got[i]); });
        var pending = ids.map(function (id) {
          var d = meta.get(Math.floor(id / block))[id % block];
          var li = el("li", "kb-result");
          var a = el("a", "kb-result-link", d[1]);
          a.href = "../" + d[0];
          li.appendChild(a);
          var facts = [facetValue("Kind", id), facetValue("Category", id), d[2], d[3]].filter(Boolean);
          if (facetValue("Form letter", id) === "form letter") facts.push("form letter");
          li.appendChild(el("div", "kb-result-meta", facts.join(" · ")));
          li.appendChild(stanceChips(id));
          var p = el("p", "kb-result-snippet");
          li.appendChild(p);
          list.appendChild(li);
          return snippet(p, id, d[4], state.found, state.phrase);
        });
        more.hidden = state.shown >= state.ordered.length;
        return Promise.all(pending);
      }
    );
  }

  // The status line says, for scripts and tests, which query it answers and whether
  // that search is still running (data-query, data-state, data-count).
  function setStatus(text, state, count) {
    statusBox.textContent = text;
    statusBox.dataset.query = input.value.trim();
    statusBox.dataset.state = state;
    if (count === undefined) delete statusBox.dataset.count; else statusBox.dataset.count = String(count);
  }

  function remember(q, sort) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    if (sort) params.set("sort", sort);
    Object.keys(selected).forEach(function (name) {
      selected[name].forEach(function (v) { params.append("f", name + ":" + v); });
    });
    var qs = params.toString();
    history.replaceState(null, "", qs ? "?" + qs : window.location.pathname);
  }

  // A word's entry, or that of the first American form of it (the index's rules) it holds.
  function variantLookup(word) {
    var forms = [word];
    (manifest.variants || []).forEach(function (rule) {
      var form = word.replace(new RegExp(rule[0], "u"), rule[1]);
      if (form !== word) forms.push(form);
    });
    var next = function (k) {
      if (k >= forms.length) return Promise.resolve(null);
      return lookup(forms[k]).then(function (e) { return e || next(k + 1); });
    };
    return next(0);
  }

  // Each part's entries: a word's own, or for a phrase the pairs of adjacent words (looked
  // up by their groups) with the words' forms kept for marking the passage.
  function lookupParts(parts) {
    return Promise.all(
      parts.map(function (part) {
        if (part.length === 1) return lookupWord(part[0]);
        return Promise.all(part.map(variantLookup)).then(function (got) {
          if (got.some(function (e) { return !e; })) {
            return { missing: part.filter(function (w, i) { return !got[i]; }), found: [] };
          }
          if (part.length === 1) return { missing: [], found: got };
          var pairs = [];
          for (var i = 0; i + 1 < part.length; i++) {
            pairs.push(lookup(got[i].stem + " " + got[i + 1].stem, true));
          }
          return Promise.all(pairs).then(function (entries) {
            if (entries.some(function (e) { return !e; })) return { missing: [], found: [], phrase: part };
            var forms = [];
            got.forEach(function (e) { forms = forms.concat(e.forms); });
            return {
              missing: [],
              found: entries.map(function (e) {
                return { word: e.word, stem: e.stem, forms: forms, postings: e.postings };
              })
            };
          });
        });
      })
    );
  }

  // One word: "licens*" is a prefix; a word the index lacks (and no variant of it) is
  // read as a prefix when indexed words begin with it ("licens" → license, licensing…).
  function lookupWord(word) {
    var star = word.slice(-1) === "*", bare = star ? word.slice(0, -1) : word;
    var got = star ? Promise.resolve(null) : variantLookup(bare);
    return got.then(function (e) {
      if (e) return { missing: [], found: [e] };
      return prefixLookup(bare).then(function (p) {
        return p ? { missing: [], found: [p], prefix: p } : { missing: [word], found: [] };
      });
    });
  }

  // The entries of the commonest words that begin with ``prefix`` (one per stem group),
  // as one: a unit holding any of them, with its best impact and that word's passage.
  function prefixLookup(prefix) {
    return vocabulary(prefix).then(function (vocab) {
      var words = vocab.filter(function (e) { return e[0].lastIndexOf(prefix, 0) === 0; })
        .slice(0, PREFIX_WORDS).map(function (e) { return e[0]; });
      return Promise.all(words.map(function (w) { return lookup(w); })).then(function (got) {
        var stems = new Set(), entries = [], forms = [];
        got.forEach(function (e, i) {
          if (!e) return;
          forms.push(words[i]);
          if (stems.has(e.stem)) return;
          stems.add(e.stem);
          entries.push(e);
          forms = forms.concat(e.forms);
        });
        if (!entries.length) return null;
        return { word: prefix + "*", stem: "", forms: forms, words: words, postings: union(entries) };
      });
    });
  }
  var PREFIX_WORDS = 16; // kb.search_query.PREFIX_WORDS

  // Postings of units in any of ``entries``: the best impact, and the passage of that entry.
  function union(entries) {
    var best = new Map();
    entries.forEach(function (e) {
      var p = e.postings;
      for (var k = 0; k < p.ids.length; k++) {
        var had = best.get(p.ids[k]);
        if (!had || p.imp[k] > had[0]) best.set(p.ids[k], [p.imp[k], p.pas[k]]);
      }
    });
    var ids = Array.from(best.keys()).sort(function (a, b) { return a - b; });
    var out = { ids: new Uint32Array(ids.length), imp: new Uint8Array(ids.length), pas: new Uint32Array(ids.length) };
    ids.forEach(function (id, k) {
      out.ids[k] = id;
      out.imp[k] = best.get(id)[0];
      out.pas[k] = best.get(id)[1];
    });
    return out;
  }

  // Vocabulary of the words starting with the same two characters, commonest first.
  function vocabulary(word) {
    var prefix = word.slice(0, manifest.prefix);
    if (Array.from(prefix).length < manifest.prefix) return Promise.resolve([]);
    var hex = Array.from(new TextEncoder().encode(prefix)).map(function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
    return fetchOnce("v/" + hex + ".json", "json").catch(function () { return []; });
  }

  // Optimal string alignment distance, or limit + 1 once it must exceed limit.
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          d = Math.min(d, prev2[j - 2] + 1);
        }
        cur.push(d);
        if (d < best) best = d;
      }
      if (best > limit) return limit + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // The index's commonest word within an edit or two of ``word`` (one for short words)
  // that is far commoner than ``word`` itself, or null.
  function correction(word) {
    return vocabulary(word).then(function (vocab) {
      var limit = word.length <= 4 ? 1 : 2, own = 0, best = null, bestDist = limit + 1;
      vocab.forEach(function (e) {
        if (e[0] === word) { own = e[1]; return; }
        var d = distance(word, e[0], limit);
        if (d < bestDist || (d === bestDist && best && e[1] > best[1])) {
          best = e;
          bestDist = d;
        }
      });
      return best && best[1] >= CORRECTION_RATIO * Math.max(own, 1) ? best[0] : null;
    });
  }
  var CORRECTION_RATIO = 20;

  // "Did you mean": the query with each unknown or far rarer word replaced.
  function suggestCorrection(q, mine) {
    // A prefix the reader typed with a star is meant as it is.
    var ws = [].concat.apply([], splitGroups(q)).filter(function (w) { return w.slice(-1) !== "*"; });
    return Promise.all(ws.map(correction)).then(function (fixes) {
      if (mine !== generation || !fixes.some(Boolean)) return;
      var fixed = q;
      ws.forEach(function (w, i) {
        if (!fixes[i]) return;
        fixed = fixed.replace(new RegExp("(^|[^\\p{L}\\p{N}])" + w + "(?![\\p{L}\\p{N}])", "iu"), "$1" + fixes[i]);
      });
      if (fold(fixed) === fold(q)) return;
      didYouMean.textContent = "Did you mean ";
      var a = el("a", "kb-didyoumean-link", fixed);
      a.href = "?q=" + encodeURIComponent(fixed);
      a.addEventListener("click", function (e) {
        e.preventDefault();
        input.value = fixed;
        run();
      });
      didYouMean.appendChild(a);
      didYouMean.appendChild(document.createTextNode("?"));
      didYouMean.dataset.query = fixed;
      didYouMean.hidden = false;
    });
  }

  // As-you-type completions of the word being typed: the commonest words it begins.
  function suggest() {
    var q = input.value, m = /([\p{L}\p{N}]+)$/u.exec(q);
    suggestBox.textContent = "";
    suggestBox.hidden = true;
    if (!m || !manifest) return Promise.resolve();
    var partial = fold(m[1]), typed = q;
    return vocabulary(partial).then(function (vocab) {
      if (input.value !== typed) return;
      var found = vocab.filter(function (e) {
        return e[0] !== partial && e[0].lastIndexOf(partial, 0) === 0;
      }).slice(0, SUGGESTIONS);
      found.forEach(function (e) {
        var li = el("li"), b = el("button", "kb-suggestion", e[0]);
        b.type = "button";
        b.title = e[1].toLocaleString("en") + " results";
        b.addEventListener("click", function () {
          input.value = typed.slice(0, typed.length - m[1].length) + e[0];
          suggestBox.hidden = true;
          run();
          input.focus();
        });
        li.appendChild(b);
        suggestBox.appendChild(li);
      });
      suggestBox.hidden = !found.length;
    });
  }

  function run() {
    var q = input.value.trim(), sort = sortSelect.value, mine = ++generation;
    var chosen = Object.keys(selected).some(function (k) { return selected[k].size; });
    remember(q, sort);
    didYouMean.textContent = "";
    didYouMean.hidden = true;
    delete didYouMean.dataset.query;
    var parts = queryParts(q);
    if (!parts.length && !chosen) {
      list.textContent = "";
      more.hidden = true;
      // With no words the facets browse everything.
      if (manifest) renderFacets(counts(evaluate([]).hits));
      setStatus(
        q ? "“" + q + "” has no word to search for (single letters are not indexed)." : "Type words to search, or pick a facet to browse.",
        "idle"
      );
      return Promise.resolve();
    }
    setStatus("Searching…", "busy");
    var corrected = null;
    return start()
      .then(function () {
        corrected = suggestCorrection(q, mine);
        return lookupParts(parts);
      })
      .then(function (got) {
        if (mine !== generation) return;
        var missing = [], phrases = [], found = [], prefixes = [];
        got.forEach(function (g) {
          missing = missing.concat(g.missing);
          if (g.phrase) phrases.push(g.phrase.join(" "));
          if (g.prefix) prefixes.push(g.prefix);
          found = found.concat(g.found);
        });
        var none = missing.length || phrases.length;
        var result = none ? { hits: [], scores: null } : evaluate(found);
        var hits = result.hits.filter(function (id) { return passes(id, -1); });
        renderFacets(counts(result.hits));
        list.textContent = "";
        var state = {
          generation: mine,
          found: found,
          phrase: parts.some(function (part) { return part.length > 1; }),
          shown: 0,
          ordered: order(hits, result.scores, sort)
        };
        current = state;
        var what = q ? " for “" + q + "”" : "";
        if (none) {
          var absent = missing.length ? missing : phrases;
          setStatus("No filing, bill or organisation contains “" + absent.join("”, “") + "”.", "busy", 0);
          more.hidden = true;
          return corrected.then(function () {
            if (mine === generation) statusBox.dataset.state = "done";
          });
        }
        var widened = prefixes.map(function (p) {
          var shown = p.words.slice(0, 4).join(", ") + (p.words.length > 4 ? " …" : "");
          return " Words beginning “" + p.word.slice(0, -1) + "”: " + shown + ".";
        }).join("");
        setStatus(hits.length.toLocaleString("en") + (hits.length === 1 ? " result" : " results") + what + "." + widened, "busy", hits.length);
        // "done" once the first results, their passages and any correction are on the page.
        return Promise.all([showPage(state), corrected]).then(function () {
          if (mine === generation) statusBox.dataset.state = "done";
        });
      })
      .catch(function (err) {
        if (mine !== generation) return;
        setStatus("Search failed: " + err.message + ". Reload the page to try again.", "error");
      });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    suggest();
    timer = setTimeout(run, 250);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    suggestBox.hidden = true;
    run();
  });
  sortSelect.addEventListener("change", run);
  more.addEventListener("click", function () {
    if (current) showPage(current);
  });

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  if (["asc", "desc", "orgs", "people"].indexOf(params.get("sort")) >= 0) sortSelect.value = params.get("sort");
  params.getAll("f").forEach(function (pair) {
    var cut = pair.indexOf(":");
    if (cut < 0) return;
    var name = pair.slice(0, cut);
    (selected[name] || (selected[name] = new Set())).add(pair.slice(cut + 1));
  });
  start().then(run, function (err) {
    setStatus("The search index did not load: " + err.message + ".", "error");
  });
})();
