// The endurance-test timers: one per protocol. The button starts a get-ready countdown,
// then the clock; the same button (or Space / Enter on it) stops it the moment position
// is lost, and the protocol's cap stops it by itself. Escape skips the test: the field is
// left blank, so the test is not done (never 0). The time held, to 0.1 s, goes into the
// protocol's field; the form sends it as a typed result. A rest countdown follows.
(function () {
  "use strict";

  function fmt(seconds) {
    return seconds.toFixed(1) + " s";
  }

  function clockText(seconds) {
    var whole = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(whole / 60);
    var s = whole % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function setUp(box) {
    var button = box.querySelector(".timer-toggle");
    var output = box.querySelector("output");
    var status = box.querySelector(".status");
    var field = document.getElementById(box.getAttribute("data-target"));
    var form = box.closest("form");
    var store = form ? form.querySelector("button[type=submit]") : null;
    var ready = Number(box.getAttribute("data-ready") || "5");
    var rest = Number(box.getAttribute("data-rest") || "300");
    var cap = box.hasAttribute("data-cap") ? Number(box.getAttribute("data-cap")) : null;
    var tick = null;
    var started = 0;

    function state(name) {
      box.setAttribute("data-state", name);
    }

    function clear() {
      if (tick !== null) {
        window.clearInterval(tick);
        tick = null;
      }
    }

    function idle(message) {
      clear();
      state("idle");
      output.textContent = fmt(0);
      button.textContent = "Start the timer";
      status.textContent = message;
    }

    function restCountdown(held, reason) {
      var restStart = performance.now();
      tick = window.setInterval(function () {
        var left = rest - (performance.now() - restStart) / 1000;
        if (left <= 0) {
          clear();
          status.textContent = "Held " + fmt(held) + ". Rest over.";
          return;
        }
        status.textContent = reason + "Held " + fmt(held) + ". Store it with the button below. " +
          "Rest about " + Math.round(rest / 60) + " min before the next test: " +
          clockText(left) + " left.";
      }, 250);
    }

    function stop(reason) {
      clear();
      var held = (performance.now() - started) / 1000;
      if (cap !== null && held > cap) { held = cap; }
      held = Math.round(held * 10) / 10;
      state("stopped");
      output.textContent = fmt(held);
      button.textContent = "Start again";
      field.value = String(held);
      reason = reason ? reason + " " : "";
      status.textContent = reason + "Held " + fmt(held) + ".";
      restCountdown(held, reason);
      if (store) { store.focus(); }
    }

    function run() {
      clear();
      state("running");
      started = performance.now();
      button.textContent = "Stop: position lost";
      status.textContent = "GO. " + (cap !== null ? "The protocol stops at " + cap + " s." : "");
      tick = window.setInterval(function () {
        var held = (performance.now() - started) / 1000;
        if (cap !== null && held >= cap) {
          stop(cap + " s: the protocol stops here.");
          return;
        }
        output.textContent = fmt(held);
      }, 100);
    }

    function getReady() {
      clear();
      state("ready");
      button.textContent = "Cancel";
      var readyStart = performance.now();
      output.textContent = fmt(0);
      status.textContent = "Get into position: the clock starts in " + ready + " s.";
      if (ready <= 0) { run(); return; }
      tick = window.setInterval(function () {
        var left = ready - (performance.now() - readyStart) / 1000;
        if (left <= 0) { run(); return; }
        status.textContent = "Get into position: the clock starts in " + Math.ceil(left) + " s.";
      }, 100);
    }

    button.addEventListener("click", function () {
      var now = box.getAttribute("data-state");
      if (now === "running") { stop(""); }
      else if (now === "ready") { idle("Cancelled."); }
      else { getReady(); }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && box.getAttribute("data-state") !== "idle") {
        field.value = "";
        idle("Skipped: recorded as not done.");
        event.preventDefault();
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-timer]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
