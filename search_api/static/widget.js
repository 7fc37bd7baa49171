/*! Tidings headline widget. Embed with:
 *  <script src="https://HOST/widget.js" data-topic="ai" data-limit="5" data-theme="light"></script>
 *  data-show="stories" lists stories (one line per event, "+N sources") instead of articles.
 * Renders recent headlines in a shadow root next to the script tag, so neither the host page's
 * CSS nor the widget's leaks into the other. Text is set with textContent only; links must be
 * http(s). Data comes from /api/v1/recent (or /api/v1/stories) on the script's own origin (CORS).
 * The iframe form (/widget?show=stories&...) renders the same lines on the server. */
(function () {
  "use strict";
  var MAX_LIMIT = 20;
  var TIMEOUT_MS = 8000;
  var CSS = [
    ":host{all:initial;display:block;contain:content}",
    ".tw{--fg:#1d1d1f;--muted:#5f6368;--bg:#fff;--line:#e3e3e3;--accent:#0b57d0;",
    "font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);",
    "background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 12px;",
    "max-width:100%;box-sizing:border-box;text-align:left}",
    ".tw[data-theme=dark]{--fg:#e8eaed;--muted:#9aa0a6;--bg:#202124;--line:#3c4043;--accent:#8ab4f8}",
    ".tw-head{margin:0 0 6px;font-weight:700;font-size:13px;text-transform:uppercase;",
    "letter-spacing:.04em;color:var(--muted)}",
    ".tw-list{list-style:none;margin:0;padding:0}",
    ".tw-item{padding:6px 0;border-top:1px solid var(--line)}",
    ".tw-item:first-child{border-top:0}",
    ".tw-link{color:var(--accent);text-decoration:none;font-weight:600;overflow-wrap:anywhere}",
    ".tw-link:hover{text-decoration:underline}",
    ".tw-meta{display:block;color:var(--muted);font-size:12px;margin-top:2px}",
    ".tw-status{color:var(--muted);margin:4px 0}",
    ".tw-foot{margin-top:6px;font-size:12px}",
    ".tw-foot a{color:var(--muted)}"
  ].join("");

  function findScript() {
    var s = document.currentScript;
    if (s && !s.hasAttribute("data-tidings-done")) {
      return s;
    }
    var all = document.querySelectorAll("script[src]");
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src) && !all[i].hasAttribute("data-tidings-done")) {
        return all[i];
      }
    }
    return null;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) {
      node.className = cls;
    }
    if (text != null) {
      node.textContent = String(text);
    }
    return node;
  }

  function safeHref(url) {
    try {
      var u = new URL(String(url));
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function relativeTime(iso, now) {
    var t = Date.parse(iso);
    if (isNaN(t)) {
      return "";
    }
    var secs = Math.round((t - now) / 1000);
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
      ["hour", 3600], ["minute", 60], ["second", 1]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(secs) >= units[i][1] || units[i][0] === "second") {
        var n = Math.round(secs / units[i][1]);
        if (typeof Intl !== "undefined" && Intl.RelativeTimeFormat) {
          return new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(n, units[i][0]);
        }
        return Math.abs(n) + " " + units[i][0] + (Math.abs(n) === 1 ? "" : "s") + " ago";
      }
    }
    return "";
  }

  function addStyles(root) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(el("style", null, CSS));
    }
  }

  /* "+1 source", "+4 sources": the other outlets of a story (as the server's other_sources). */
  function otherSources(count) {
    return count > 0 ? "+" + count + (count === 1 ? " source" : " sources") : "";
  }

  /* An article as a line: its title linking to the article itself. */
  function articleLine(a) {
    return {
      id: a.id,
      title: a.title,
      url: a.url,
      source: (a.source && (a.source.name || a.source.id)) || "",
      time: a.published_at
    };
  }

  /* A story as a line: its headline linking to the story's page, its first source
   * "+N sources", the time it last grew; its id is stable as the story grows. */
  function storyLine(origin) {
    return function (s) {
      var first = (s.sources && s.sources[0]) || {};
      var name = String(first.name || first.id || "");
      return {
        id: s.id,
        title: s.headline,
        url: s.id ? origin + "/stories/" + encodeURIComponent(String(s.id)) : null,
        source: (name + " " + otherSources((s.source_count || 0) - 1)).trim(),
        time: s.last_seen
      };
    };
  }

  function render(script) {
    script.setAttribute("data-tidings-done", "");
    var origin = new URL(script.src, document.baseURI).origin;
    var topic = (script.getAttribute("data-topic") || "").trim();
    var stories = script.getAttribute("data-show") === "stories";
    var limit = parseInt(script.getAttribute("data-limit") || "5", 10);
    if (!(limit >= 1)) {
      limit = 5;
    }
    limit = Math.min(limit, MAX_LIMIT);
    var theme = script.getAttribute("data-theme") === "dark" ? "dark" : "light";
    if (script.getAttribute("data-theme") === "auto" && window.matchMedia &&
        window.matchMedia("(prefers-color-scheme: dark)").matches) {
      theme = "dark";
    }

    var host = el("div", "tidings-widget");
    host.setAttribute("data-state", "loading");
    script.parentNode.insertBefore(host, script.nextSibling);
    var root = host.attachShadow({ mode: "open" });
    addStyles(root);
    var box = el("section", "tw");
    box.setAttribute("data-theme", theme);
    box.setAttribute("data-show", stories ? "stories" : "articles");
    box.setAttribute("aria-label", stories ? "Top stories" : "Recent headlines");
    box.appendChild(el("p", "tw-head", topic ? "Latest: " + topic : "Latest news"));
    var status = el("p", "tw-status", "Loading headlines…");
    status.setAttribute("role", "status");
    box.appendChild(status);
    root.appendChild(box);

    var params = new URLSearchParams({ limit: String(limit) });
    if (topic) {
      params.set("topic", topic);
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch(origin + (stories ? "/api/v1/stories?" : "/api/v1/recent?") + params.toString(), {
      mode: "cors",
      credentials: "omit",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (resp) {
      if (!resp.ok) {
        throw new Error("HTTP " + resp.status);
      }
      return resp.json();
    }).then(function (data) {
      var found = (data && (stories ? data.stories : data.articles)) || [];
      var line = stories ? storyLine(origin) : articleLine;
      var now = Date.now();
      var list = el("ol", "tw-list");
      for (var i = 0; i < found.length && i < limit; i++) {
        var a = line(found[i] || {});
        var item = el("li", "tw-item");
        item.setAttribute("data-id", String(a.id || ""));
        var href = safeHref(a.url);
        var link = el(href ? "a" : "span", "tw-link", a.title || "(untitled)");
        if (href) {
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
        }
        item.appendChild(link);
        var meta = el("span", "tw-meta");
        if (a.source) {
          meta.appendChild(el("span", "tw-source", a.source));
        }
        if (a.time) {
          if (a.source) {
            meta.appendChild(document.createTextNode(" · "));
          }
          var time = el("time", "tw-time", relativeTime(a.time, now));
          time.setAttribute("datetime", String(a.time));
          time.title = String(a.time);
          meta.appendChild(time);
        }
        item.appendChild(meta);
        list.appendChild(item);
      }
      if (found.length) {
        box.replaceChild(list, status);
      } else {
        status.textContent = "No headlines yet.";
      }
      var foot = el("p", "tw-foot");
      var more = el("a", null, "More on Tidings");
      more.href = origin + (stories ? "/stories" : "/") +
        (topic ? "?topic=" + encodeURIComponent(topic) : "");
      more.target = "_blank";
      more.rel = "noopener";
      foot.appendChild(more);
      box.appendChild(foot);
      host.setAttribute("data-state", "ready");
    }).catch(function () {
      status.textContent = "Headlines are unavailable right now.";
      status.setAttribute("role", "alert");
      host.setAttribute("data-state", "error");
    }).then(function () {
      if (timer) {
        clearTimeout(timer);
      }
    });
  }

  var script = findScript();
  if (script && script.parentNode) {
    render(script);
  }
})();
