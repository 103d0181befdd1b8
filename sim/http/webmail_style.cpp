// The webmail's one stylesheet, served as /style.css. The CSP allows styles from 'self' only,
// so the pages carry no <style> element and no style attribute: everything they look like is
// here, by class. Written for a projector at the back of a classroom: large type (20 px base),
// dark text on white (contrast above 12:1 for text, above 4.5:1 for every link and button),
// a visible focus ring, and a layout that stacks on a narrow screen. Fonts are the system's
// own (no web fonts: no external resources), with Chinese families listed for zh pages.

#include "sim/http/webmail_pages.hpp"

namespace maillab::http::webmail {

std::string stylesheet() {
    return R"css(/* maillab webmail */
:root {
  --text: #1a1a1a;
  --muted: #4a4a4a;
  --line: #c9ced6;
  --panel: #f2f4f7;
  --accent: #0b57d0;
  --accent-dark: #0842a0;
  --danger: #b3261e;
  --notice-bg: #e6f4ea;
  --notice-line: #1e7e34;
  --warn-bg: #fff4d6;
  --warn-line: #a06a00;
  --error-bg: #fde7e6;
}
* { box-sizing: border-box; }
html { font-size: 20px; -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  color: var(--text);
  background: #ffffff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
    Arial, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", sans-serif;
  line-height: 1.5;
}
body:lang(zh) { line-height: 1.65; }
body.app { display: flex; flex-direction: column; min-height: 100vh; }
a { color: var(--accent); }
a:hover { color: var(--accent-dark); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
h1 { font-size: 1.6rem; margin: 0 0 0.3rem; line-height: 1.25; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 0.5rem; }
code, pre { font-family: ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas,
  "Noto Sans Mono CJK SC", monospace; }

/* Buttons: links and <button> look the same. */
.button {
  display: inline-block;
  padding: 0.35rem 0.9rem;
  border: 2px solid var(--accent);
  border-radius: 0.4rem;
  background: #ffffff;
  color: var(--accent);
  font: inherit;
  font-weight: 600;
  text-decoration: none;
  cursor: pointer;
  line-height: 1.3;
}
.button:hover { background: #e8f0fe; color: var(--accent-dark); }
.button.primary { background: var(--accent); color: #ffffff; }
.button.primary:hover { background: var(--accent-dark); border-color: var(--accent-dark); }
.button.danger { border-color: var(--danger); color: var(--danger); }
.button.danger:hover { background: var(--error-bg); }
.button.small { padding: 0.15rem 0.55rem; font-size: 0.8rem; }
.button.disabled { border-color: var(--line); color: #6b6b6b; cursor: default; }
form.inline { display: inline; margin: 0; }

/* Top bar: brand, Compose, user, languages, Log out. */
.topbar {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.6rem 1rem;
  padding: 0.6rem 1.2rem;
  background: #1f2937;
  color: #ffffff;
}
.topbar .brand { color: #ffffff; font-size: 1.2rem; font-weight: 700; text-decoration: none; }
.brand span { font-weight: 400; }
.topbar .spacer { flex: 1; }
.topbar .user { overflow-wrap: anywhere; }
.topbar .user .label { color: #c8d0dc; }
.topbar .languages a { color: #ffffff; }
.topbar .button { border-color: #ffffff; background: transparent; color: #ffffff; }
.topbar .button:hover { background: #374151; }
.topbar .button.primary { background: #ffffff; color: #1f2937; border-color: #ffffff; }
.topbar .button.primary:hover { background: #e5e7eb; }
.languages a.current { font-weight: 700; text-decoration: none; }

/* Folder column and content. */
.layout { flex: 1; display: grid; grid-template-columns: 13rem minmax(0, 1fr); }
.folders { background: var(--panel); border-right: 1px solid var(--line); padding: 0.8rem 0; }
.folders h2 { font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.05em;
  color: var(--muted); margin: 0 1rem 0.4rem; }
.folders ul { list-style: none; margin: 0; padding: 0; }
.folders a {
  display: block;
  padding: 0.4rem 1rem;
  color: var(--text);
  text-decoration: none;
  overflow-wrap: anywhere;
}
.folders a:hover { background: #e3e7ed; }
.folders a.current { background: #dbe6fb; border-left: 5px solid var(--accent);
  padding-left: calc(1rem - 5px); font-weight: 700; }
.content { padding: 1rem 1.5rem 2rem; min-width: 0; }
.page-head { margin-bottom: 0.8rem; }
.page-head .count { margin: 0; color: var(--muted); }
.unseen { font-size: 1rem; font-weight: 600; color: #ffffff; background: var(--accent);
  border-radius: 1rem; padding: 0.1rem 0.6rem; vertical-align: middle; }

/* Notices, warnings, errors. */
.notice, .error, .safety, .problems {
  border-left: 6px solid;
  border-radius: 0.3rem;
  padding: 0.6rem 1rem;
  margin: 0 0 1rem;
}
.notice { background: var(--notice-bg); border-color: var(--notice-line); }
.error { background: var(--error-bg); border-color: var(--danger); }
.safety { background: var(--warn-bg); border-color: var(--warn-line); }
.problems { background: var(--panel); border-color: var(--muted); font-size: 0.85rem; }
.safety p, .problems p { margin: 0 0 0.3rem; font-weight: 600; }
.safety ul, .problems ul { margin: 0; padding-left: 1.4rem; overflow-wrap: anywhere; }
.empty { font-size: 1.2rem; color: var(--muted); padding: 2rem 0; }

/* The message list. */
table.messages { width: 100%; border-collapse: collapse; }
.messages th { text-align: left; font-size: 0.85rem; color: var(--muted); white-space: nowrap;
  border-bottom: 2px solid var(--line); padding: 0.4rem 0.5rem; }
.messages td { border-bottom: 1px solid var(--line); padding: 0.5rem; vertical-align: middle; }
.messages tr:hover td { background: #f7f9fc; }
.messages tr.read td { font-weight: 400; }
.messages tr.unread td { font-weight: 700; }
.messages tr.unread td.from, .messages tr.unread td.subject a { color: #000000; }
.messages td.subject { overflow-wrap: break-word; min-width: 12rem; }
.messages td.subject a { text-decoration: none; }
.messages td.subject a:hover { text-decoration: underline; }
.messages td.from { max-width: 18rem; overflow-wrap: break-word; }
.messages td.date, .messages td.size { white-space: nowrap; color: var(--muted); }
.messages td.size { text-align: right; }
/* The two row buttons sit side by side when there is room, one above the other when not
   (a line may break between two inline-blocks). */
.messages td.actions form.inline { display: inline-block; margin: 0.15rem 0.3rem 0.15rem 0; }
.messages td.actions .button { white-space: nowrap; }
.badge { display: inline-block; font-size: 0.7rem; font-weight: 600; border-radius: 0.3rem;
  padding: 0 0.4rem; margin: 0.1rem 0 0.1rem 0.3rem; white-space: nowrap; vertical-align: 0.1em; }
.badge-unread { background: var(--accent); color: #ffffff; }
.badge-answered { background: #dbe6fb; color: #0842a0; }
.badge-flagged { background: #fff0c2; color: #6b4500; }
.paging { display: flex; align-items: center; justify-content: center; gap: 1rem;
  margin-top: 1.2rem; }
.paging .page-of { font-weight: 600; }

/* One message. */
.toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-bottom: 1rem; }
dl.headers {
  display: grid;
  grid-template-columns: max-content minmax(0, 1fr);
  gap: 0.2rem 1rem;
  margin: 0 0 1rem;
  padding: 0.7rem 1rem;
  background: var(--panel);
  border-radius: 0.4rem;
}
.headers dt { font-weight: 600; color: var(--muted); }
.headers dd { margin: 0; overflow-wrap: anywhere; }
iframe.mail-html {
  display: block;
  width: 100%;
  height: 65vh;
  min-height: 20rem;
  border: 1px solid var(--line);
  border-radius: 0.4rem;
  background: #ffffff;
  resize: vertical;
  overflow: auto;
}
/* Inside the sandboxed frame: only the base type, the mail's own markup does the rest. */
body.mail-frame { margin: 0.8rem 1rem; overflow-wrap: break-word; }
body.mail-frame img { max-width: 100%; height: auto; }
body.mail-frame table { max-width: 100%; }
pre.mail-text {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  font-size: 1rem;
  line-height: 1.5;
  margin: 0;
  padding: 0.8rem 1rem;
  border: 1px solid var(--line);
  border-radius: 0.4rem;
  background: #fbfbfc;
}
details.plain-text { margin-top: 1rem; }
details.plain-text summary { cursor: pointer; font-weight: 600; margin-bottom: 0.5rem; }
.attachments ul { list-style: none; padding: 0; margin: 0; }
.attachments li { padding: 0.4rem 0; border-bottom: 1px solid var(--line); }
.attachments a.attachment { font-weight: 600; overflow-wrap: anywhere; }
.attachments .type, .attachments .size { color: var(--muted); margin-left: 0.6rem;
  font-size: 0.85rem; }
.attachments .count { color: var(--muted); font-weight: 400; }

/* Forms: compose and login. */
form.stacked { display: flex; flex-direction: column; gap: 0.3rem; max-width: 50rem; }
form.stacked label { font-weight: 600; margin-top: 0.6rem; }
form.stacked input[type="text"], form.stacked input[type="password"], form.stacked textarea {
  font: inherit;
  color: var(--text);
  padding: 0.4rem 0.6rem;
  border: 2px solid #8a93a0;
  border-radius: 0.3rem;
  width: 100%;
}
form.stacked textarea { min-height: 14rem; line-height: 1.5; resize: vertical; }
form.compose { max-width: 60rem; }
form.stacked input[type="file"] { font: inherit; }
form.stacked .hint { margin: 0; font-size: 0.8rem; color: var(--muted); }
.form-actions { display: flex; gap: 0.8rem; margin-top: 1rem; }
form.stacked > .button { align-self: flex-start; margin-top: 1rem; }

/* Pages outside the mailbox: login and errors. */
body.login-page, body.error-page { background: var(--panel); }
.login-box, .error-box {
  max-width: 32rem;
  margin: 3rem auto;
  padding: 1.5rem 2rem 2rem;
  background: #ffffff;
  border: 1px solid var(--line);
  border-radius: 0.6rem;
}
.login-box .brand { font-size: 1.3rem; font-weight: 700; margin: 0 0 0.3rem; }
.login-box .languages { margin-bottom: 1rem; }
.login-box .explain { margin: 1.5rem 0 0; font-size: 0.85rem; color: var(--muted); }
.error-box .status { color: var(--danger); }
.error-box .status-line { color: var(--muted); margin-top: 0; }
.error-box .what { font-size: 1.1rem; overflow-wrap: anywhere; }
.error-box .links { display: flex; flex-wrap: wrap; gap: 0.8rem; margin-top: 1.5rem; }

/* A narrow screen: the folder column goes above the content. */
@media (max-width: 48rem) {
  html { font-size: 18px; }
  .layout { grid-template-columns: 1fr; }
  .folders { border-right: 0; border-bottom: 1px solid var(--line); }
  .folders ul { display: flex; flex-wrap: wrap; }
  .messages td.date, .messages td.size { white-space: normal; }
}
)css";
}

}  // namespace maillab::http::webmail
