// Covenant workbench: an upload's page follows its job (/api/reports/jobs/{id}) until the report is stored or
// skipped. A file of its own: the Content-Security-Policy forbids inline scripts.
"use strict";

(function () {
  var LABELS = {
    queued: "queued",
    ingesting: "reading",
    indexing: "indexing",
    done: "stored",
    skipped: "skipped",
    failed: "failed",
  };
  var FINAL = { done: true, skipped: true, failed: true };

  function show(section, job) {
    var status = section.querySelector(".job-status .status");
    status.textContent = LABELS[job.status] || job.status;
    status.className = "status status-" + job.status;
    section.dataset.status = job.status;
    // what a running job is doing: "OCR page 3/12" while a scan is read, an index stage's count after
    section.querySelector(".job-status .job-step").textContent = job.step || "";
    var result = section.querySelector(".job-result");
    if (job.status === "done") {
      var link = document.createElement("a");
      link.className = "report-link";
      link.href = "/reports/" + encodeURIComponent(job.report_id);
      link.textContent = "report " + job.report_id;
      var count = job.passages === null ? "it was in the library already" : job.passages + " passages";
      result.replaceChildren("Stored as ", link, " (" + count + ").");
    } else if (job.status === "skipped" || job.status === "failed") {
      var reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = job.reason || "";
      result.replaceChildren(reason);
    }
  }

  function follow(section, delay) {
    if (FINAL[section.dataset.status]) {
      return;
    }
    window.setTimeout(function () {
      fetch(section.dataset.progress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("the job answered " + response.status);
          }
          return response.json();
        })
        .then(function (job) {
          show(section, job);
          follow(section, Math.min(delay * 1.5, 3000));
        })
        .catch(function () {
          follow(section, 3000);
        });
    }, delay);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector("section.job[data-progress]");
    if (section) {
      follow(section, 300);
    }
  });
})();
