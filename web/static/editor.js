// The editor's comforts: formatting toolbar, pasting from Google Docs and Word, autosave,
// live preview, photo upload by drag and drop. Without this script the editor still works:
// every action is a plain form post.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form || form.querySelector("fieldset[disabled]")) return;
  var body = document.getElementById("body");
  var status = document.getElementById("save-status");
  var version = form.querySelector("input[name=version]");
  var frame = document.getElementById("preview-frame");
  var dirty = false, saving = false, stopped = false;
  var AUTOSAVE_MS = 10000;

  document.querySelectorAll(".toolbar, .js-only").forEach(function (el) { el.hidden = false; });
  if (form.dataset.field) {
    var bad = form.querySelector("[name='" + form.dataset.field + "']");
    if (bad) { bad.setAttribute("aria-invalid", "true"); bad.focus(); }
  }

  function say(text) { if (status) status.textContent = text; }

  // insert puts text at the cursor of the body, keeping the browser's undo history.
  function insert(text) {
    body.focus();
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
    }
    changed();
  }

  // Toolbar: wrap the selection, or start a line.
  var formats = {
    bold: ["**", "**", "bold text"], italic: ["*", "*", "italic text"],
    link: ["[", "](https://)", "link text"], heading: ["\n## ", "\n", "Heading"],
    quote: ["\n> ", "\n", "Quotation"], list: ["\n- ", "\n", "Item"]
  };
  document.querySelectorAll(".toolbar button").forEach(function (b) {
    b.addEventListener("click", function () {
      var kind = b.dataset.md;
      if (kind === "photo") { pickPhoto(true); return; }
      var f = formats[kind], sel = body.value.slice(body.selectionStart, body.selectionEnd);
      insert(f[0] + (sel || f[2]) + f[1]);
    });
  });
  body.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey)) return;
    var k = { b: "bold", i: "italic", k: "link" }[e.key];
    if (k) { e.preventDefault(); document.querySelector(".toolbar button[data-md=" + k + "]").click(); }
  });

  // Pasting formatted text: the server turns its HTML into Markdown.
  body.addEventListener("paste", function (e) {
    var html = e.clipboardData && e.clipboardData.getData("text/html");
    if (!html) return;
    e.preventDefault();
    var plain = e.clipboardData.getData("text/plain");
    say("Converting the pasted text…");
    fetch("/admin/paste", { method: "POST", body: html, headers: { "Content-Type": "text/html; charset=utf-8", "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) { insert(j.markdown || plain); say(j.error || "Pasted with its formatting."); })
      .catch(function () { insert(plain); say("Pasted as plain text."); });
  });

  // Autosave every 10 seconds while something changed.
  function changed() { dirty = true; schedulePreview(); }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; stopped = true; });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });

  function autosave() {
    if (!dirty || saving || stopped) return;
    if (!version.value || version.value === "0") {
      if (!document.getElementById("title").value.trim()) return; // nothing to name it by yet
    }
    saving = true; dirty = false;
    var data = new FormData(form);
    data.set("action", "autosave");
    say("Saving…");
    fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, code: r.status, j: j }; }); })
      .then(function (res) {
        saving = false;
        if (!res.ok) {
          dirty = true;
          if (res.code === 409 || res.code === 403 || res.code === 401) stopped = true;
          say(res.j.error || "Not saved.");
          return;
        }
        version.value = res.j.version;
        if (form.getAttribute("action") !== res.j.url) {
          form.setAttribute("action", res.j.url);
          history.replaceState(null, "", res.j.url);
          var state = document.querySelector(".state-line .state.new");
          if (state) { state.textContent = "Draft"; state.className = "state draft"; }
        }
        say(res.j.message);
      })
      .catch(function () { saving = false; dirty = true; say("Not saved: the server cannot be reached. Your text is still here."); });
  }
  setInterval(autosave, AUTOSAVE_MS);

  // Live preview: the page as readers will see it, rendered by the server.
  var previewTimer = null;
  function schedulePreview() {
    if (!frame) return;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 800);
  }
  function preview() {
    fetch("/admin/preview", { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { frame.srcdoc = html; })
      .catch(function () {});
  }
  preview();

  // Photos: upload by choosing or dropping a file; the lead photo's fields fill from the
  // photo's own credit and caption.
  var fileInput = document.getElementById("photo-file");
  var inline = false;
  function pickPhoto(inBody) { inline = inBody; fileInput.click(); }
  if (fileInput) fileInput.addEventListener("change", function () { if (fileInput.files[0]) upload(fileInput.files[0], inline); inline = false; });
  function upload(file, inBody) {
    var data = new FormData();
    data.append("photo", file);
    say("Uploading " + file.name + "…");
    fetch("/admin/photos", { method: "POST", body: data, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) { say(res.j.error || "The photo was refused."); return; }
        var p = res.j;
        if (inBody) {
          insert("\n![" + (p.alt || "") + "](" + p.url + ")\n");
        } else {
          setLead(p);
        }
        say("Photo uploaded.");
      })
      .catch(function () { say("The photo could not be uploaded."); });
  }
  // The library: search, then pick; the lead photo's texts fill from the photo's own.
  // A new photo brings its own texts: another photo's alt text or credit must not stay
  // beside it. The same photo again keeps what the desk wrote.
  function setLead(p) {
    var code = document.getElementById("image"), same = code.value === p.hash;
    code.value = p.hash;
    var fill = function (id, v) { var el = document.getElementById(id); if (el && (!same || !el.value)) el.value = v || ""; };
    fill("image_alt", p.alt); fill("image_caption", p.caption);
    fill("image_credit", p.credit && p.source && p.credit.indexOf(p.source) < 0 ? p.credit + " / " + p.source : (p.credit || p.source));
    var box = document.getElementById("photo-preview");
    box.innerHTML = "";
    var img = document.createElement("img");
    img.src = p.thumb || p.url; img.alt = "";
    box.appendChild(img);
    changed();
  }
  var picker = document.getElementById("photo-picker"), pickQ = document.getElementById("picker-q");
  var results = document.getElementById("picker-results"), searchTimer = null;
  var searches = 0;
  function search() {
    var n = ++searches;
    fetch("/admin/photos.json?q=" + encodeURIComponent(pickQ.value), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || "The library cannot be read."); return j; }); })
      .then(function (j) {
        if (n !== searches) return; // a newer search is on its way
        results.innerHTML = "";
        (j.photos || []).forEach(function (p) {
          var li = document.createElement("li"), b = document.createElement("button"), img = document.createElement("img");
          b.type = "button";
          img.src = p.thumb; img.alt = ""; img.width = 160;
          b.appendChild(img);
          b.appendChild(document.createTextNode(p.caption || p.alt || p.credit || "Untitled photo"));
          if (p.expired) { b.disabled = true; b.appendChild(document.createTextNode(" (rights expired)")); }
          b.addEventListener("click", function () { setLead(p); picker.close(); });
          li.appendChild(b);
          results.appendChild(li);
        });
        if (!results.children.length) results.textContent = "No photo matches.";
      })
      .catch(function (e) { if (n === searches) results.textContent = e.message || "The library cannot be read."; });
  }
  var pickBtn = document.getElementById("pick-photo");
  if (pickBtn && picker && picker.showModal) {
    pickBtn.addEventListener("click", function () { picker.showModal(); search(); pickQ.focus(); });
    pickQ.addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 250); });
  } else if (pickBtn) { pickBtn.hidden = true; }
  var removeBtn = document.getElementById("remove-photo");
  if (removeBtn) removeBtn.addEventListener("click", function () {
    ["image", "image_alt", "image_caption", "image_credit"].forEach(function (id) { document.getElementById(id).value = ""; });
    document.getElementById("photo-preview").innerHTML = "";
    changed();
  });

  [document.querySelector(".photo-field"), body].forEach(function (zone) {
    if (!zone) return;
    zone.addEventListener("dragover", function (e) { if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) { e.preventDefault(); zone.classList.add("dropping"); } });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dropping"); });
    zone.addEventListener("drop", function (e) {
      zone.classList.remove("dropping");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      e.preventDefault();
      upload(e.dataTransfer.files[0], zone === body);
    });
  });
})();
