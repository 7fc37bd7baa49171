// Renders the OpenAPI document of this server as a browsable page, with "try it" forms for
// GET operations. Everything from the document is inserted as text (never as HTML).
"use strict";
(function () {
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function refName(ref) { return ref.split("/").pop(); }

  function resolve(spec, obj) {
    while (obj && obj.$ref) {
      const parts = obj.$ref.replace(/^#\//, "").split("/");
      obj = parts.reduce((o, p) => (o ? o[p] : undefined), spec);
    }
    return obj || {};
  }

  function typeOf(schema) {
    if (!schema) return "";
    if (schema.$ref) return refName(schema.$ref);
    let type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "object";
    if (schema.type === "array" || (Array.isArray(schema.type) && schema.type.includes("array"))) {
      type += " of " + typeOf(schema.items);
    }
    return type;
  }

  function constraints(schema) {
    const out = [];
    if (!schema) return "";
    if (schema.enum) out.push("one of: " + schema.enum.join(", "));
    if (schema.minimum !== undefined) out.push("min " + schema.minimum);
    if (schema.maximum !== undefined) out.push("max " + schema.maximum);
    if (schema.maxLength !== undefined) out.push("max length " + schema.maxLength);
    if (schema.maxItems !== undefined) out.push("at most " + schema.maxItems + " values");
    if (schema.default !== undefined) out.push("default " + JSON.stringify(schema.default));
    if (schema.pattern) out.push("pattern " + schema.pattern);
    return out.join("; ");
  }

  function paramsTable(spec, params) {
    const rows = params.map((p) => {
      p = resolve(spec, p);
      return el("tr", {}, [
        el("td", {}, [el("code", { text: p.name })]),
        el("td", { text: p.in + (p.required ? ", required" : "") }),
        el("td", { text: typeOf(p.schema) }),
        el("td", { text: [p.description || (p.schema && p.schema.description) || "",
                           constraints(p.schema)].filter(Boolean).join(" — ") }),
      ]);
    });
    const head = el("tr", {}, ["name", "in", "type", "description"].map((h) => el("th", { text: h })));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  function responsesList(spec, responses) {
    const rows = Object.entries(responses || {}).map(([code, resp]) => {
      const r = resolve(spec, resp);
      const content = r.content || {};
      const types = Object.entries(content).map(([mime, media]) => mime + ": " + typeOf(media.schema));
      return el("tr", {}, [el("td", { text: code }), el("td", { text: r.description || "" }),
                           el("td", { text: types.join(", ") })]);
    });
    const head = el("tr", {}, ["status", "meaning", "body"].map((h) => el("th", { text: h })));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  function tryForm(spec, path, params) {
    const form = el("form", { class: "try" });
    const inputs = [];
    for (const raw of params) {
      const p = resolve(spec, raw);
      if (p.in !== "query" && p.in !== "path") continue;
      const input = el("input", { name: p.name, placeholder: typeOf(p.schema) });
      if (p.in === "path") input.required = true;
      inputs.push([p, input]);
      form.append(el("label", { text: p.name }), input);
    }
    const status = el("p", { class: "status" });
    const out = el("pre", { hidden: "" });
    form.append(el("button", { type: "submit", text: "Send GET" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      for (const [p, input] of inputs) {
        if (p.in === "path") url = url.replace("{" + p.name + "}", encodeURIComponent(input.value));
        else for (const v of input.value.split(",").map((s) => s.trim()).filter(Boolean)) {
          query.append(p.name, v);
        }
      }
      const full = url + (query.toString() ? "?" + query : "");
      status.textContent = "GET " + full + " …";
      try {
        const resp = await fetch(full, { headers: { Accept: "application/json" } });
        const text = await resp.text();
        status.textContent = "GET " + full + " → " + resp.status + " " + resp.statusText;
        try { out.textContent = JSON.stringify(JSON.parse(text), null, 2); }
        catch (e) { out.textContent = text; }
      } catch (e) {
        status.textContent = "request failed: " + e;
        out.textContent = "";
      }
      out.hidden = false;
    });
    return [el("h4", { text: "Try it" }), form, status, out];
  }

  function operation(spec, path, method, op) {
    const id = (method + "-" + path).replace(/[^A-Za-z0-9]+/g, "-");
    const secured = op.security && op.security.length;
    const summary = el("summary", {}, [
      el("span", { class: "method " + method, text: method }),
      el("span", { class: "path", text: path }),
      el("span", { text: op.summary || "" }),
      secured ? el("span", { class: "lock", text: "API key" }) : null,
    ]);
    const body = el("div", { class: "body" });
    if (op.description) body.append(el("p", { class: "desc", text: op.description }));
    const params = op.parameters || [];
    if (params.length) body.append(el("h4", { text: "Parameters" }), paramsTable(spec, params));
    if (op.requestBody) {
      const content = resolve(spec, op.requestBody).content || {};
      for (const [mime, media] of Object.entries(content)) {
        body.append(el("h4", { text: "Request body (" + mime + ")" }),
                    el("p", {}, [el("code", { text: typeOf(media.schema) })]));
      }
    }
    body.append(el("h4", { text: "Responses" }), responsesList(spec, op.responses));
    if (method === "get" && !secured) body.append(...tryForm(spec, path, params));
    return el("details", { class: "op", id: id }, [summary, body]);
  }

  async function main() {
    const ops = document.getElementById("ops");
    let spec;
    try {
      const resp = await fetch("../openapi.json");
      spec = await resp.json();
    } catch (e) {
      ops.textContent = "Could not load ../openapi.json: " + e;
      return;
    }
    document.getElementById("title").textContent = spec.info.title + " " + spec.info.version;
    document.getElementById("oas").textContent = spec.openapi;
    ops.textContent = "";
    if (spec.info.description) ops.append(el("pre", { text: spec.info.description }));
    const toc = document.getElementById("toc");
    for (const [path, item] of Object.entries(spec.paths || {})) {
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        if (!item[method]) continue;
        const node = operation(spec, path, method, { ...item[method],
          parameters: [...(item.parameters || []), ...(item[method].parameters || [])] });
        ops.append(node);
        toc.append(el("a", { href: "#" + node.id, text: method.toUpperCase() + " " + path }));
      }
    }
    const schemas = (spec.components && spec.components.schemas) || {};
    const holder = document.getElementById("schemas");
    for (const [name, schema] of Object.entries(schemas)) {
      holder.append(el("details", { class: "op" }, [
        el("summary", {}, [el("span", { class: "path", text: name })]),
        el("div", { class: "body" }, [el("pre", { text: JSON.stringify(schema, null, 2) })]),
      ]));
    }
    document.getElementById("schemas-section").hidden = false;
  }

  main();
})();
