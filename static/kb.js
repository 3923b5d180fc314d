// Drag and drop onto the upload form, the chosen files' names beside each file button, and
// live status of documents being ingested.
(function () {
  for (const input of document.querySelectorAll("label.file-pick input[type=file]")) {
    const chosen = input.closest("label").nextElementSibling;
    input.addEventListener("change", () => {
      chosen.textContent = Array.from(input.files).map((f) => f.name).join(", ") || chosen.dataset.none;
    });
  }
  const zone = document.getElementById("dropzone");
  const input = document.querySelector("#upload-form input[type=file]");
  if (zone && input) {
    ["dragenter", "dragover"].forEach((e) => zone.addEventListener(e, (ev) => { ev.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((e) => zone.addEventListener(e, (ev) => { ev.preventDefault(); zone.classList.remove("over"); }));
    zone.addEventListener("drop", (ev) => { input.files = ev.dataTransfer.files; input.dispatchEvent(new Event("change")); });
  }

  const busy = new Set(["queued", "parsing", "embedding"]);
  const rows = () => Array.from(document.querySelectorAll("#documents tr[data-id]"));
  async function refresh() {
    const pending = rows().filter((r) => busy.has(r.querySelector("[data-role=status]").dataset.status));
    if (!pending.length) return;
    const ids = pending.map((r) => r.dataset.id).join(",");
    try {
      const response = await fetch(`${window.KB_STATUS_URL}?ids=${ids}`, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const { documents } = await response.json();
        for (const doc of documents) {
          const row = document.querySelector(`#documents tr[data-id="${doc.id}"]`);
          if (!row) continue;
          const status = row.querySelector("[data-role=status]");
          status.textContent = doc.status_label;
          status.dataset.status = doc.status;
          status.className = `badge ${doc.status}`;
          const bar = row.querySelector("[data-role=progress]");
          bar.value = doc.progress;
          bar.hidden = !busy.has(doc.status);
          row.querySelector("[data-role=reason]").textContent = doc.status === "failed" ? doc.reason : "";
          row.querySelector("[data-role=chunks]").textContent = doc.chunks;
        }
      }
    } catch (err) { /* the next tick tries again */ }
    setTimeout(refresh, 1000);
  }
  setTimeout(refresh, 500);
})();
