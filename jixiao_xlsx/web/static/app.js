// The page of `jixiao serve`. Text from workbooks is only ever set with textContent (never innerHTML),
// so a cell holding <script> shows as text. Every request carries the page's token (CSRF guard).
"use strict";

(function () {
  const config = JSON.parse(document.body.dataset.config || "{}");
  const $ = (id) => document.getElementById(id);
  const PARTS = [["execution", "预算执行率"], ["output", "产出指标"], ["effect", "效益指标"], ["satisfaction", "满意度指标"]];

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function fmt2(v) {
    return typeof v === "number" ? v.toFixed(2) : "—";
  }

  function percent(v) {
    return typeof v === "number" ? (v * 100).toFixed(2) + "%" : "—";
  }

  function setStatus(node, text, kind) {
    node.textContent = text || "";
    node.className = "status" + (kind ? " " + kind : "");
  }

  function tooBig(files) {
    let total = 0;
    for (const f of files) {
      total += f.size;
      if (f.size > config.fileBytes && !/\.zip$/i.test(f.name)) {
        return "文件“" + f.name + "”超过 " + config.fileLimit + " 的上限，未上传；自评表一般不足1MB，请删除图片和无关工作表后重新保存再上传。";
      }
    }
    if (total > config.requestBytes) {
      return "所选文件合计超过 " + config.requestLimit + " 的上限，未上传；请分批上传。";
    }
    return null;
  }

  // POST a FormData; always resolves to {ok, status, data} with a Chinese error when it failed.
  async function post(url, form) {
    let resp;
    try {
      resp = await fetch(url, { method: "POST", body: form, headers: { "X-Jixiao-Token": config.token }, credentials: "same-origin" });
    } catch (e) {
      return { ok: false, data: { error: "无法连接本工具的服务（可能已关闭运行 jixiao serve 的窗口），或上传的文件过大；请重新运行后刷新页面。" } };
    }
    return readJson(resp);
  }

  async function getJson(url) {
    try {
      return readJson(await fetch(url, { credentials: "same-origin" }));
    } catch (e) {
      return { ok: false, data: { error: "无法连接本工具的服务，请确认 jixiao serve 仍在运行后刷新页面。" } };
    }
  }

  async function readJson(resp) {
    let data = null;
    try {
      data = await resp.json();
    } catch (e) {
      data = { error: "服务返回了无法识别的内容（" + resp.status + "），请刷新页面后重试。" };
    }
    return { ok: resp.ok && data && data.ok !== false, status: resp.status, data: data };
  }

  function downloadLinks(container, links) {
    clear(container);
    for (const d of links) {
      const a = el("a", d.text, "button");
      a.href = d.url;
      a.setAttribute("download", "");
      a.dataset.kind = d.kind || "summary";
      container.appendChild(a);
    }
  }

  // -- one workbook ----------------------------------------------------------------------------

  function showResult(payload) {
    const r = payload.result;
    $("single-result").hidden = false;
    $("result-title").textContent = r.file;
    $("result-project").textContent = [r.unit, r.project, r.year].filter((x) => x !== null && x !== undefined && x !== "").join(" · ");
    $("total").textContent = fmt2(r.total);
    $("grade").textContent = r.grade || "—";
    $("rate").textContent = percent(r.budget && r.budget.rate);
    const parts = $("parts").tBodies[0];
    clear(parts);
    for (const [key, name] of PARTS) {
      const tr = el("tr");
      tr.appendChild(el("td", name));
      tr.appendChild(el("td", fmt2(r.scores[key]), "num"));
      parts.appendChild(tr);
    }
    $("blocked-note").hidden = !payload.blocked;
    downloadLinks($("single-downloads"), payload.downloads);
    const body = $("findings").tBodies[0];
    clear(body);
    for (const f of r.findings) {
      const tr = el("tr", null, f.severity === "错误" ? "error" : "hint");
      tr.appendChild(el("td", f.severity));
      tr.appendChild(el("td", f.sheet && f.cell ? f.sheet + "!" + f.cell : (f.sheet || "-")));
      tr.appendChild(el("td", f.code, "code"));
      tr.appendChild(el("td", f.message));
      body.appendChild(tr);
    }
    $("findings").hidden = r.findings.length === 0;
    $("no-findings").hidden = r.findings.length !== 0;
    $("finding-count").textContent = r.findings.length ? "错误 " + payload.errors + " 项，提示 " + payload.hints + " 项" : "";
  }

  async function scoreOne(file) {
    const status = $("single-status");
    $("single-result").hidden = true;
    const big = tooBig([file]);
    if (big) return setStatus(status, big, "error");
    setStatus(status, "正在评分“" + file.name + "”……", "busy");
    const form = new FormData();
    form.append("file", file, file.name);
    const res = await post("/api/score", form);
    if (!res.ok) return setStatus(status, res.data.error || "未能完成，请重试。", "error");
    setStatus(status, "已评分“" + file.name + "”。", "ok");
    showResult(res.data);
  }

  // -- many workbooks ---------------------------------------------------------------------------

  function showFailed(unreadable, skipped) {
    const body = $("failed").tBodies[0];
    clear(body);
    const rows = unreadable.map((f) => [f, "未能处理"]).concat(skipped.map((f) => [f, "已跳过"]));
    for (const [f, what] of rows) {
      const tr = el("tr");
      tr.appendChild(el("td", f.file));
      tr.appendChild(el("td", what));
      tr.appendChild(el("td", f.reason));
      body.appendChild(tr);
    }
    $("batch-failed").hidden = rows.length === 0;
  }

  async function runBatch(files) {
    const status = $("batch-status");
    clear($("batch-downloads"));
    $("batch-failed").hidden = true;
    $("batch-progress").hidden = true;
    const big = tooBig(files.map((x) => x.file));
    if (big) return setStatus(status, big, "error");
    setStatus(status, "正在上传 " + files.length + " 个文件……", "busy");
    const form = new FormData();
    for (const x of files) form.append("files", x.file, x.name);
    const res = await post("/api/batch", form);
    if (!res.ok) return setStatus(status, res.data.error || "未能完成，请重试。", "error");
    setStatus(status, "正在评分……", "busy");
    $("batch-progress").hidden = false;
    poll(res.data.id);
  }

  async function poll(id) {
    const res = await getJson("/api/jobs/" + encodeURIComponent(id));
    const status = $("batch-status");
    if (!res.ok) return setStatus(status, res.data.error || "未能完成，请重试。", "error");
    const j = res.data;
    $("batch-bar").max = Math.max(j.total, 1);
    $("batch-bar").value = j.done;
    $("batch-count").textContent = "已处理 " + j.done + " / " + j.total + " 个";
    $("batch-current").textContent = j.state === "queued" ? "排队中（另一批汇总正在进行）" : (j.current || "");
    if (j.state === "failed") return setStatus(status, j.error, "error");
    if (j.state !== "done") {
      setTimeout(() => poll(id), 250);
      return;
    }
    const failed = j.unreadable.length;
    setStatus(status, "汇总完成：已评分 " + j.scored + " 个（其中有错误 " + j.with_errors + " 个），未能处理 " + failed +
      " 个，已跳过 " + j.skipped.length + " 个。", failed ? "warn" : "ok");
    downloadLinks($("batch-downloads"), j.downloads);
    showFailed(j.unreadable, j.skipped);
  }

  // -- drop zones -------------------------------------------------------------------------------

  // the kinds `jixiao batch` takes from a folder; a folder's other files (Word, PDF, images) stay home
  const SHEETS = /\.(xlsx|xlsm|xls|et|ett|xlsb|ods|csv|xlt|xltx|xltm|numbers|zip|rar|7z)$/i;

  // Files of a dropped folder (recursively), each with its path inside the folder as its name.
  function readEntry(entry, path, out) {
    return new Promise((resolve) => {
      if (entry.isFile) {
        entry.file((f) => { out.push({ file: f, name: path + f.name }); resolve(); }, () => resolve());
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        const all = [];
        const more = () => reader.readEntries((batch) => {
          if (!batch.length) {
            Promise.all(all.map((e) => readEntry(e, path + entry.name + "/", out))).then(() => resolve());
            return;
          }
          all.push(...batch);
          more();
        }, () => resolve());
        more();
      } else {
        resolve();
      }
    });
  }

  async function droppedFiles(dt) {
    const entries = Array.from(dt.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter((e) => e);
    if (!entries.some((e) => e.isDirectory)) return Array.from(dt.files).map((f) => ({ file: f, name: f.name }));
    const out = [];
    for (const e of entries) await readEntry(e, "", out);
    return out.filter((x) => !x.name.includes("/") || SHEETS.test(x.name));
  }

  function dropZone(zone, input, handle) {
    ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, () => zone.classList.remove("over")));
    zone.addEventListener("drop", async (e) => {
      e.preventDefault();
      if (!e.dataTransfer) return;
      const files = await droppedFiles(e.dataTransfer);
      if (files.length) handle(files);
    });
    pick(input, handle);
  }

  function pick(input, handle) {
    input.addEventListener("change", () => {
      const files = Array.from(input.files).map((f) => ({ file: f, name: f.webkitRelativePath || f.name }))
        .filter((x) => !x.name.includes("/") || SHEETS.test(x.name));
      if (files.length) handle(files);
      input.value = "";
    });
  }

  dropZone($("single-drop"), $("single-input"), (files) => {
    if (files.length > 1 || /\.zip$/i.test(files[0].name) || files[0].name.includes("/")) {
      setStatus($("single-status"), "这里一次评分一个自评表；多个文件、文件夹或.zip压缩包请放到下面“批量汇总”一栏。", "error");
      return;
    }
    scoreOne(files[0].file);
  });
  dropZone($("batch-drop"), $("batch-input"), runBatch);
  pick($("batch-folder"), runBatch);
  // a file dropped outside the zones must not make the browser leave the page
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
})();
