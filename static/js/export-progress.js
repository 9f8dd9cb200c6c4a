// An export's page (templates/surveys/export_detail.html): show the worker's progress, and reload once the
// file is ready or the export failed. Without this script the "Check again" link does the same.
const box = document.querySelector("[data-export-progress]");
if (box) {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-export-text]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.exportProgress, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const job = await response.json();
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        bar.value = job.progress;
        bar.textContent = `${job.progress}%`;
        text.textContent = job.text;
      }
    } catch {
      // A dropped connection: ask again on the next tick.
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
}
