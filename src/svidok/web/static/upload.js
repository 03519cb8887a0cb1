// Upload page: drag and drop of many files, sent one after another with XMLHttpRequest so each
// shows its progress (XHR upload progress events); each file's result is rendered by the server
// (POST /web/upload?fragment=1) into the live list. Without this script the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var input = document.getElementById("files");
  var drop = document.getElementById("drop");
  var list = document.getElementById("results");
  var tpl = document.getElementById("pending-tpl");
  var queued = document.getElementById("queued");
  var me = document.currentScript;
  if (!form || !input || !drop || !list || !tpl || typeof XMLHttpRequest === "undefined") { return; }
  var dropped = [];

  function showQueued() {
    var n = dropped.length + input.files.length;
    queued.textContent = n ? (me.getAttribute("data-ready") || "{n}").replace("{n}", String(n)) : "";
  }
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault();
    var files = ev.dataTransfer && ev.dataTransfer.files ? ev.dataTransfer.files : [];
    for (var i = 0; i < files.length; i++) { dropped.push(files[i]); }
    showQueued();
  });
  input.addEventListener("change", showQueued);

  function sendOne(file, done) {
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.querySelector(".name").textContent = file.name;
    var bar = li.querySelector("progress");
    var pct = li.querySelector(".pct");
    list.appendChild(li);
    var data = new FormData();
    ["case", "collector", "method", "note"].forEach(function (k) { data.append(k, form.elements[k].value); });
    data.append("files", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/web/upload?fragment=1");
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        var p = Math.round(100 * ev.loaded / ev.total);
        bar.value = p;
        pct.textContent = " " + p + "%";
      }
    });
    xhr.addEventListener("loadend", function () {
      if (xhr.status && xhr.responseText.indexOf("upload-result") >= 0) {
        li.outerHTML = xhr.responseText;
      } else {
        li.setAttribute("data-testid", "upload-result");
        li.classList.add("failed");
        pct.textContent = " " + (me.getAttribute("data-failed") || "failed") + " (" + xhr.status + ")";
      }
      done();
    });
    xhr.send(data);
  }

  form.addEventListener("submit", function (ev) {
    var files = dropped.slice();
    for (var i = 0; i < input.files.length; i++) { files.push(input.files[i]); }
    if (!files.length || !form.checkValidity()) { return; } // let the browser / server explain
    ev.preventDefault();
    var button = document.getElementById("upload-button");
    button.disabled = true;
    dropped = [];
    (function next(k) {
      if (k >= files.length) {
        button.disabled = false;
        input.value = "";
        showQueued();
        return;
      }
      sendOne(files[k], function () { next(k + 1); });
    }(0));
  });
}());
