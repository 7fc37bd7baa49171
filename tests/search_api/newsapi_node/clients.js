// Runs the npm `newsapi` client (unchanged) against a Tidings server and prints what it got.
//
//   node clients.js BASE_URL API_KEY QUERY
//
// The client cannot change its host; its `corsProxyUrl` option is put in front of the NewsAPI
// URL, and Tidings serves /https://newsapi.org/v2/... as /v2/... (README "Switch from NewsAPI").
// Prints one JSON object: each call's response body, or its error's name and message.
"use strict";
const NewsAPI = require("newsapi");

async function attempt(call) {
  try {
    return { ok: await call() };
  } catch (err) {
    return { error: { name: err.name, message: err.message } };
  }
}

async function main() {
  const [base, key, query] = process.argv.slice(2);
  const newsapi = new NewsAPI(key, { corsProxyUrl: base + "/" });
  const out = {
    everything: await attempt(() =>
      newsapi.v2.everything({ q: query, sortBy: "relevancy", pageSize: 5 })),
    topHeadlines: await attempt(() => newsapi.v2.topHeadlines({ q: query })),
    topHeadlinesDefault: await attempt(() => newsapi.v2.topHeadlines()),
    sources: await attempt(() => newsapi.v2.sources({ language: "en" })),
    noCache: await attempt(() =>
      newsapi.v2.everything({ q: query, pageSize: 1 }, { noCache: true })),
    malformed: await attempt(() => newsapi.v2.everything({ q: '"unclosed' })),
  };
  // Last: the client keeps the key in a module-wide variable, so a second client replaces it.
  const wrong = new NewsAPI(key + "-wrong", { corsProxyUrl: base + "/" });
  out.wrongKey = await attempt(() => wrong.v2.everything({ q: query }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(1);
});
