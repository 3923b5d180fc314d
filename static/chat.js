// The chat page: ask, read the answer as it streams, stop it, rate it.
//
// Untrusted text (questions, answers, document snippets) only ever reaches the page as
// text nodes. The only markup inserted comes from the server, rendered by Django
// templates (escaped) with answers sanitised by nh3.
(() => {
  "use strict";

  const composer = document.getElementById("composer");
  const labels = JSON.parse(document.getElementById("chat-labels").textContent);

  document.querySelectorAll("form[data-confirm=delete]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(labels.confirmDelete)) event.preventDefault();
    });
  });
  // A phone folds the conversation list so that the answer has the screen.
  const menu = document.querySelector("details.conversation-menu");
  if (menu && window.matchMedia("(max-width: 720px)").matches) menu.open = false;
  if (!composer) return;

  const list = document.getElementById("messages");
  const input = composer.querySelector("textarea");
  const askButton = composer.querySelector("button[type=submit]");
  const stopButton = document.getElementById("stop");
  const csrfToken = composer.querySelector("[name=csrfmiddlewaretoken]").value;
  let controller = null;
  let streaming = null; // the answer being written: its request and the text shown so far

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Server-rendered fragments only (see the note at the top).
  function serverFragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // Server-Sent Events from a fetch() body: blocks separated by a blank line.
  async function* serverEvents(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) yield { name, data: JSON.parse(data) };
      }
    }
  }

  function setBusy(busy) {
    askButton.disabled = busy;
    stopButton.hidden = !busy;
  }

  // The composer is sticky, so scrolling to it moves nothing: scroll the answer instead,
  // to show its end above the composer, but never push its start off the screen.
  function scrollToAnswer(node) {
    const box = node.getBoundingClientRect();
    const room = composer.getBoundingClientRect().top - 8;
    const by = Math.min(box.bottom - room, box.top - 8);
    if (by > 0) window.scrollBy(0, by);
  }

  // The first question names the conversation: show the name at once, everywhere.
  function showTitle(title) {
    if (!title) return;
    const heading = document.querySelector("[data-testid=conversation-title]");
    if (heading) heading.textContent = title;
    const current = document.querySelector(".conversations li.current a");
    if (current) current.textContent = title;
    document.title = [title, ...document.title.split(" · ").slice(1)].join(" · ");
  }

  // Sources are listed once the answer cites them ([1], [1, 2]); kb_assistant/chat/citing.py
  // applies the same rule to the saved answer.
  function showCitedSources(extras, answerText) {
    const cited = new Set();
    for (const mark of answerText.matchAll(/\[(\d+(?:\s*[,，、]\s*\d+)*)\]/g)) {
      for (const number of mark[1].match(/\d+/g)) cited.add(Number(number));
    }
    extras.querySelectorAll(".citations li[value]").forEach((item) => {
      if (cited.has(item.value)) item.hidden = false;
    });
    const section = extras.querySelector(".citations");
    if (section) section.hidden = !section.querySelector("li:not([hidden])");
  }

  // Text arrives in bursts (quoted passages come all at once): it is shown at a reading
  // pace that speeds up with what is waiting, so every answer visibly streams and none lags.
  function revealer(text, onShown) {
    let waiting = "";
    let timer = null;
    let drained = null;
    function tick() {
      let cut = Math.min(waiting.length, Math.max(2, Math.ceil(waiting.length / 15)));
      if (/[\uDC00-\uDFFF]/.test(waiting.charAt(cut))) cut += 1; // never half a character
      text.appendData(waiting.slice(0, cut));
      waiting = waiting.slice(cut);
      onShown();
      timer = waiting ? setTimeout(tick, 16) : null;
      if (!waiting && drained) drained();
    }
    return {
      add(more) {
        waiting += more;
        if (!timer) timer = setTimeout(tick, 0);
      },
      finished: () => (waiting ? new Promise((resolve) => { drained = resolve; }) : Promise.resolve()),
      stop() {
        clearTimeout(timer);
        waiting = "";
      },
    };
  }

  async function ask(question) {
    list.querySelector(".empty")?.remove();
    const bubble = element("div", "msg user");
    bubble.append(element("p", "", question));
    const answer = element("article", "msg assistant streaming");
    answer.dataset.testid = "answer";
    const status = element("p", "muted status", labels.thinking);
    const text = document.createTextNode("");
    const body = element("div", "answer live");
    body.append(text);
    const extras = element("div");
    answer.append(status, body, extras);
    list.append(bubble, answer);
    scrollToAnswer(answer);

    controller = new AbortController();
    const reveal = revealer(text, () => {
      showCitedSources(extras, text.data);
      scrollToAnswer(answer);
    });
    streaming = { requestId: "", text, reveal };
    setBusy(true);
    try {
      const response = await fetch(composer.dataset.askUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken },
        body: new URLSearchParams({ question }),
        signal: controller.signal,
      });
      if (response.status === 503) { // shed: nothing was saved, the question can be asked again
        const { message } = await response.json();
        throw Object.assign(new Error(message), { busy: true });
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      for await (const { name, data } of serverEvents(response)) {
        if (name === "meta") {
          streaming.requestId = data.request_id;
          extras.append(serverFragment(data.citations_html));
          showTitle(data.title);
        } else if (name === "delta") {
          status.remove();
          reveal.add(data.text);
        } else if (name === "notice") {
          extras.prepend(element("p", "notice", data.text));
        } else if (name === "error") {
          extras.prepend(element("p", "error", data.message));
        } else if (name === "done") {
          controller = null; // the answer is complete: nothing left to stop
          stopButton.hidden = true;
          await reveal.finished();
          const saved = serverFragment(data.html).firstElementChild;
          answer.replaceWith(saved);
          scrollToAnswer(saved);
        }
      }
    } catch (error) {
      status.remove();
      const stopped = error.name === "AbortError";
      const message = stopped ? labels.stopped : error.busy ? error.message : labels.failed;
      answer.append(element("p", stopped ? "muted stopped" : "error", message));
    } finally {
      answer.classList.remove("streaming");
      controller = null;
      streaming = null;
      setBusy(false);
      input.focus();
    }
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || controller) return;
    input.value = "";
    ask(question);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  // The server may have written more than arrived: it keeps exactly what this page shows.
  stopButton.addEventListener("click", () => {
    if (!controller) return;
    const { requestId, text, reveal } = streaming;
    reveal.stop();
    controller.abort();
    if (!requestId) return;
    fetch(composer.dataset.stopUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
      body: new URLSearchParams({ request_id: requestId, shown: text.data }),
    });
  });

  // Feedback forms arrive with each answer, so listen on the list.
  list.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.feedback");
    if (!form) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("rating", event.submitter.value);
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken },
      body: data,
    });
    if (!response.ok) return;
    form.querySelectorAll(".thumb").forEach((button) => {
      button.classList.toggle("chosen", button === event.submitter);
    });
    form.querySelector(".feedback-status").textContent = labels.thanks;
  });
})();
