// Draws every plotly figure the page carries in a data-figure attribute (JSON), with the
// plotly.js the app serves itself: no inline script, nothing fetched from elsewhere.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      Plotly.newPlot(el, figure.data || [], figure.layout || {}, {
        displaylogo: false, responsive: true
      }).then(function () { el.setAttribute("data-drawn", "true"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
