// The item form's rich-text editor (wangEditor 5, vendored under /static/vendor/wangeditor/).
// Progressive enhancement: without JavaScript, or when the editor fails to load, the plain
// textarea and the body format select work as before. With it, the textarea is hidden, the editor
// writes its HTML into the textarea on every change and on submit, and the format is HTML.
// A Markdown body stays in the textarea until the editor converts it (button below the field),
// starting from the server's sanitized rendering of it. Pasted Word or web content is cleaned
// here as the server's sanitizer cleans it (domain::content::sanitize, which is the rule): only
// tables, alignment and first-line indentation survive. Images are uploaded to /admin/images
// with the CSRF token; pictures from other sites are not inserted.
(function () {
  "use strict";

  var textarea = document.querySelector('textarea[data-editor="wangeditor"]');
  if (!textarea || textarea.disabled || textarea.closest("fieldset[disabled]")) return;
  var form = textarea.form;
  var formatSelect = document.getElementById("f-body_format");
  var status = document.getElementById("editor-status");
  var convert = document.getElementById("editor-convert");
  var rendered = document.getElementById("body-as-html");

  function say(message) {
    if (status) status.textContent = message;
  }

  var STYLE_KEEP = {
    "text-align": /^(left|center|right|justify)$/,
    "text-indent": /^\d{1,3}(\.\d{1,2})?(em|px|pt)$|^0$/
  };
  var DROP_WITH_CONTENT = { SCRIPT: 1, STYLE: 1, META: 1, LINK: 1, TITLE: 1, XML: 1, TEMPLATE: 1 };

  function cleanStyle(style) {
    var kept = [];
    (style || "").split(";").forEach(function (decl) {
      var i = decl.indexOf(":");
      if (i < 0) return;
      var prop = decl.slice(0, i).trim().toLowerCase();
      var value = decl.slice(i + 1).trim().toLowerCase();
      if (STYLE_KEEP[prop] && STYLE_KEEP[prop].test(value)) kept.push(prop + ": " + value);
    });
    return kept.join("; ");
  }

  function isLocal(src) {
    src = (src || "").trim();
    return src.charAt(0) === "/" && src.charAt(1) !== "/" && src.charAt(1) !== "\\";
  }

  // Cleans pasted HTML: comments, Word's namespaced tags (o:p, v:shape …), its list bullets
  // (mso-list:Ignore), fonts, classes and every style but alignment and indentation; images not
  // on this site are dropped.
  function cleanHtml(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var dropped = 0;
    function walk(node) {
      var child = node.firstChild;
      while (child) {
        var next = child.nextSibling;
        if (child.nodeType === 8) {
          node.removeChild(child);
        } else if (child.nodeType === 1) {
          var tag = child.tagName.toUpperCase();
          var style = (child.getAttribute("style") || "").replace(/\s+/g, "").toLowerCase();
          if (DROP_WITH_CONTENT[tag] || style.indexOf("mso-list:ignore") >= 0) {
            node.removeChild(child);
          } else if (tag === "IMG" && !isLocal(child.getAttribute("src"))) {
            dropped += 1;
            node.removeChild(child);
          } else {
            walk(child);
            if (tag.indexOf(":") >= 0 || tag === "FONT") {
              while (child.firstChild) node.insertBefore(child.firstChild, child);
              node.removeChild(child);
            } else {
              Array.prototype.slice.call(child.attributes).forEach(function (a) {
                var name = a.name.toLowerCase();
                if (name === "style") {
                  var kept = cleanStyle(a.value);
                  if (kept) child.setAttribute("style", kept);
                  else child.removeAttribute("style");
                } else if (["href", "src", "alt", "colspan", "rowspan"].indexOf(name) < 0) {
                  child.removeAttribute(a.name);
                }
              });
            }
          }
        }
        child = next;
      }
    }
    walk(doc.body);
    return { html: doc.body.innerHTML, dropped: dropped };
  }

  function csrfToken() {
    var field = form && form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function upload(file, insert) {
    var data = new FormData();
    data.append("file", file);
    say("正在上传图片“" + file.name + "”……");
    return fetch(textarea.getAttribute("data-upload"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() }
    })
      .then(function (res) {
        return res.json().catch(function () {
          return { error: "图片上传失败（服务器返回 " + res.status + "）" };
        });
      })
      .then(function (answer) {
        if (answer && answer.url) {
          insert(answer.url, file.name.replace(/\.[^.]*$/, ""), "");
          say("图片“" + file.name + "”已上传。");
        } else {
          say((answer && answer.error) || "图片上传失败，请重试");
        }
      })
      .catch(function () {
        say("图片上传失败：无法连接服务器，请稍后重试");
      });
  }

  function start(initialHtml) {
    var E = window.wangEditor;
    if (!E || !E.createEditor) return false;
    var toolbarBox = document.createElement("div");
    toolbarBox.className = "editor-toolbar";
    var editorBox = document.createElement("div");
    editorBox.className = "editor-box";
    editorBox.id = "body-editor";
    textarea.parentNode.insertBefore(toolbarBox, textarea);
    textarea.parentNode.insertBefore(editorBox, textarea);
    var editor = E.createEditor({
      selector: editorBox,
      html: initialHtml || "<p><br></p>",
      mode: "default",
      config: {
        placeholder: "在此输入正文……",
        onChange: function (ed) {
          textarea.value = ed.getHtml();
        },
        customPaste: function (ed, event) {
          var html = event.clipboardData && event.clipboardData.getData("text/html");
          if (!html) return true;
          var cleaned = cleanHtml(html);
          ed.dangerouslyInsertHtml(cleaned.html);
          if (cleaned.dropped) say("粘贴的内容中有 " + cleaned.dropped + " 张图片不在本站，未插入；请用“上传图片”按钮上传。");
          event.preventDefault();
          return false;
        },
        MENU_CONF: {
          uploadImage: {
            maxFileSize: 5 * 1024 * 1024,
            allowedFileTypes: ["image/png", "image/jpeg", "image/gif", "image/webp"],
            customUpload: upload
          }
        }
      }
    });
    E.createToolbar({
      editor: editor,
      selector: toolbarBox,
      mode: "default",
      config: {
        // One flat row of buttons (no hover menus): what an official document needs. Fonts,
        // colours and line height are not offered, since the sanitizer removes them.
        toolbarKeys: [
          "headerSelect", "|", "bold", "italic", "underline", "through", "sup", "sub", "clearStyle",
          "|", "justifyLeft", "justifyCenter", "justifyRight", "justifyJustify", "indent", "delIndent",
          "|", "bulletedList", "numberedList", "blockquote", "divider", "|", "insertLink",
          "uploadImage", "insertTable", "|", "undo", "redo"
        ]
      }
    });
    // The toolbar's buttons show their names only as tooltips: give them accessible names.
    Array.prototype.forEach.call(toolbarBox.querySelectorAll("button[data-tooltip]"), function (button) {
      if (!button.getAttribute("aria-label")) button.setAttribute("aria-label", button.getAttribute("data-tooltip"));
    });
    var editable = editorBox.querySelector('[contenteditable="true"]');
    if (editable) {
      editable.setAttribute("aria-labelledby", "label-body");
      editable.setAttribute("aria-describedby", "hint-editor");
      editable.setAttribute("aria-multiline", "true");
      editable.setAttribute("role", "textbox");
    }
    var label = document.getElementById("label-body");
    if (label) {
      label.removeAttribute("for");
      label.addEventListener("click", function () { editor.focus(); });
    }
    textarea.hidden = true;
    textarea.value = editor.getHtml();
    if (formatSelect) {
      formatSelect.value = "html";
      var field = document.getElementById("body-format-field");
      if (field) field.hidden = true;
    }
    var hintBody = document.getElementById("hint-body");
    var hintEditor = document.getElementById("hint-editor");
    if (hintBody) hintBody.hidden = true;
    if (hintEditor) hintEditor.hidden = false;
    if (convert) convert.hidden = true;
    form.addEventListener("submit", function () {
      textarea.value = editor.getHtml();
      if (formatSelect) formatSelect.value = "html";
    });
    window.gongkaiEditor = editor;
    return true;
  }

  var format = formatSelect ? formatSelect.value : "html";
  var empty = textarea.value.trim() === "";
  if (format === "html" || empty) {
    start(format === "html" ? textarea.value : "");
  } else if (convert && rendered) {
    convert.hidden = false;
    convert.addEventListener("click", function () {
      start(rendered.innerHTML);
    });
  }
})();
