// upright live form check: the camera's frames go to this server over a WebSocket, one
// at a time (the next leaves when the answer to the last has come), and the skeleton and
// the form that come back are drawn over the video.
(function () {
  "use strict";
  const FRAME_WIDTH = 384; // px sent: enough for the pose model, small to send
  const JPEG_QUALITY = 0.7;
  const GOOD = "#2b8a3e";
  const FAULT = "#d0021b";
  const AWAY = "#f2a900";

  function start(root) {
    const video = root.querySelector("#live-video");
    const overlay = root.querySelector("#live-overlay");
    const status = root.querySelector("#live-status");
    const cue = root.querySelector("#live-cue");
    const startButton = root.querySelector("#live-start");
    const stopButton = root.querySelector("#live-stop");
    const counters = {
      good: root.querySelector("#live-good"),
      hold: root.querySelector("#live-hold"),
      held: root.querySelector("#live-held"),
      count: root.querySelector("#live-count"),
      rate: root.querySelector("#live-rate"),
    };
    const grab = document.createElement("canvas");
    let socket = null;
    let stream = null;
    let bones = [];
    let updates = 0;
    let times = [];

    function say(text, kind) {
      status.textContent = text;
      status.className = "live-status" + (kind ? " " + kind : "");
    }

    function socketUrl() {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      return scheme + "//" + window.location.host + root.dataset.socket;
    }

    function sendFrame() {
      if (!socket || socket.readyState !== WebSocket.OPEN || video.videoWidth === 0) {
        window.setTimeout(sendFrame, 50);
        return;
      }
      const scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
      grab.width = Math.round(video.videoWidth * scale);
      grab.height = Math.round(video.videoHeight * scale);
      grab.getContext("2d").drawImage(video, 0, 0, grab.width, grab.height);
      const taken = performance.now();
      grab.toBlob(function (blob) {
        if (!blob || !socket || socket.readyState !== WebSocket.OPEN) return;
        blob.arrayBuffer().then(function (jpeg) {
          const message = new Uint8Array(8 + jpeg.byteLength);
          new DataView(message.buffer).setFloat64(0, taken, true);
          message.set(new Uint8Array(jpeg), 8);
          socket.send(message.buffer);
        });
      }, "image/jpeg", JPEG_QUALITY);
    }

    function draw(answer) {
      const w = video.clientWidth;
      const h = video.clientHeight;
      overlay.width = w;
      overlay.height = h;
      const ctx = overlay.getContext("2d");
      ctx.clearRect(0, 0, w, h);
      const colour = !answer.in_position ? AWAY : answer.fault ? FAULT : GOOD;
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 4;
      const points = answer.skeleton;
      bones.forEach(function (bone) {
        const a = points[bone[0]];
        const b = points[bone[1]];
        if (!a || !b) return;
        ctx.beginPath();
        ctx.moveTo(a[0] * w, a[1] * h);
        ctx.lineTo(b[0] * w, b[1] * h);
        ctx.stroke();
      });
      points.forEach(function (p) {
        if (!p) return;
        ctx.beginPath();
        ctx.arc(p[0] * w, p[1] * h, 4, 0, 2 * Math.PI);
        ctx.fill();
      });
      if (answer.fault) {
        ctx.font = "bold 20px system-ui, sans-serif";
        ctx.fillText(answer.fault.label, 10, 28);
      }
      overlay.dataset.drawn = String(updates);
    }

    function show(answer) {
      updates += 1;
      const now = performance.now();
      times.push(now);
      while (times.length && now - times[0] > 2000) times.shift();
      counters.count.textContent = String(updates);
      counters.rate.textContent = (times.length / 2).toFixed(1);
      counters.good.textContent = answer.good_form_s.toFixed(1);
      counters.hold.textContent = answer.hold_s.toFixed(1);
      counters.held.textContent = answer.held_s.toFixed(1);
      if (!answer.in_position) {
        say("Not in position: " + (answer.position_note || "get into the position"), "");
        cue.textContent = "";
      } else if (answer.fault) {
        say("Fault: " + answer.fault.label, "fault");
        cue.textContent = answer.fault.cue;
      } else {
        say(answer.in_hold ? "Good form: holding" : "In position: keep still", "good");
        cue.textContent = "";
      }
      draw(answer);
    }

    function onMessage(event) {
      const answer = JSON.parse(event.data);
      if (answer.type === "ready") {
        bones = answer.bones;
        say("Connected: get into the position.", "");
        sendFrame();
      } else if (answer.type === "frame") {
        show(answer);
        sendFrame();
      } else if (answer.type === "error") {
        say("upright could not go on: " + answer.message, "fault");
      }
    }

    function stop() {
      if (socket) socket.close();
      socket = null;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      startButton.disabled = false;
      stopButton.disabled = true;
    }

    startButton.addEventListener("click", function () {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        say("This browser gives no camera to this page.", "fault");
        return;
      }
      startButton.disabled = true;
      say("Asking for the camera...", "");
      navigator.mediaDevices
        .getUserMedia({ video: { width: { ideal: 640 } }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          return video.play();
        })
        .then(function () {
          stopButton.disabled = false;
          socket = new WebSocket(socketUrl());
          socket.binaryType = "arraybuffer";
          socket.addEventListener("message", onMessage);
          socket.addEventListener("close", function (event) {
            if (stream) say("Connection closed" + (event.code === 1008 ? " (refused)." : "."), "fault");
          });
        })
        .catch(function (err) {
          startButton.disabled = false;
          say("No camera: " + err.message, "fault");
        });
    });
    stopButton.addEventListener("click", function () {
      stop();
      say("Camera off.", "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("live");
    if (root) start(root);
  });
})();
