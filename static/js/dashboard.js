// Draws the dashboard charts from the JSON block the page carries (no inline scripts: CSP).
(function () {
  var block = document.getElementById("chart-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = reduced ? false : Chart.defaults.animation;

  var trend = document.getElementById("trend-chart");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.labels,
        datasets: [
          { label: block.dataset.filed, data: data.trend.filed, borderColor: "#0b5cab",
            backgroundColor: "#0b5cab", tension: 0 },
          { label: block.dataset.answered, data: data.trend.answered, borderColor: "#1d7a3a",
            backgroundColor: "#1d7a3a", borderDash: [6, 4], tension: 0 }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false,
                 scales: { x: { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 } },
                           y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  // Long names in lines of whole words: a bar's label is never cut on a phone.
  function wrap(text, width) {
    var lines = [], line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  var narrow = window.matchMedia("(max-width: 719.98px)").matches;

  var onTime = document.getElementById("ontime-chart");
  if (onTime) {
    new Chart(onTime, {
      type: "bar",
      data: {
        labels: data.on_time.map(function (row) { return wrap(row.label, narrow ? 16 : 28); }),
        datasets: [{ label: block.dataset.ontime,
                     data: data.on_time.map(function (row) { return row.share; }),
                     backgroundColor: "#0b5cab" }]
      },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
                 scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
    });
  }
})();
