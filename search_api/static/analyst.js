/* Tidings analyst page: draws the per-day charts with the vendored uPlot: the volume chart of
 * the article view (#volume) and a story's timeline (#timeline). The pages work without this
 * file (a server-rendered SVG shows the same counts); here the charts get axes and a hover
 * read-out, and on the volume chart drag-to-select a date range (which edits the URL). */
(function () {
  "use strict";
  var HEIGHT = 160;
  var DAY = 86400;
  // ticks at whole days (never hours) and whole counts (never 0.5)
  var DAY_STEPS = [1, 2, 7, 14, 30, 91, 182, 365, 730, 1825].map(function (n) { return n * DAY; });
  var COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6];

  function isoDay(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 10);
  }

  function narrowTo(fromSec, toSec) {
    var params = new URLSearchParams(window.location.search);
    params.set("from", isoDay(fromSec));
    params.set("to", isoDay(toSec));
    params.delete("cursor");
    window.location.assign(window.location.pathname + "?" + params.toString());
  }

  function draw(el, narrows) {
    var days = JSON.parse(el.getAttribute("data-days") || "[]");
    var counts = JSON.parse(el.getAttribute("data-counts") || "[]");
    if (!days.length || typeof window.uPlot !== "function") {
      return;
    }
    var uPlot = window.uPlot;
    var xs = days.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    counts = counts.slice();
    if (xs.length === 1) {  // one day: show its neighbours so the time axis has a span
      xs = [xs[0] - DAY, xs[0], xs[0] + DAY];
      counts = [0, counts[0], 0];
    }
    var width = function () { return Math.max(200, el.clientWidth); };
    var opts = {
      width: width(),
      height: HEIGHT,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      cursor: { drag: { x: narrows, y: false, setScale: false }, points: { show: false } },
      legend: { live: true },
      scales: {
        x: { time: true, range: function (u, min, max) { return [min - DAY / 2, max + DAY / 2]; } },
        y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } }
      },
      axes: [
        { grid: { show: false }, incrs: DAY_STEPS },
        { size: 44, incrs: COUNT_STEPS }
      ],
      series: [
        { label: "Day", value: "{YYYY}-{MM}-{DD}" },
        {
          label: "Articles",
          stroke: "#0b57d0",
          fill: "rgba(11, 87, 208, 0.25)",
          paths: uPlot.paths.bars({ size: [0.8, 48] }),
          points: { show: false }
        }
      ],
      hooks: {
        setSelect: [function (u) {
          if (!narrows || u.select.width < 4) {
            return;
          }
          var a = u.posToVal(u.select.left, "x");
          var b = u.posToVal(u.select.left + u.select.width, "x");
          narrowTo(Math.round(a), Math.round(b));
        }]
      }
    };
    el.classList.add("drawn");
    var plot = new uPlot(opts, [xs, counts], el);
    el.setAttribute("data-rendered", String(counts.reduce(function (s, n) { return s + n; }, 0)));
    window.addEventListener("resize", function () {
      plot.setSize({ width: width(), height: HEIGHT });
    });
  }

  function init() {
    var volume = document.getElementById("volume");
    if (volume) {
      draw(volume, true);
    }
    var timeline = document.getElementById("timeline");
    if (timeline) {
      draw(timeline, false);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
