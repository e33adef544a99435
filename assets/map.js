// Zoom and pan for the server-rendered SVG maps: wheel, drag, and the +/−/recentrer buttons
// change the viewBox; nothing else is needed for tooltips (<title>) or drill-down (<a>).
(function () {
  for (const frame of document.querySelectorAll("[data-map]")) {
    const svg = frame.querySelector("svg");
    if (!svg) continue;
    const initial = svg.viewBox.baseVal;
    const home = [initial.x, initial.y, initial.width, initial.height];
    let box = home.slice();
    const apply = () => svg.setAttribute("viewBox", box.join(" "));
    const zoom = (factor, cx, cy) => {
      const width = Math.min(home[2], Math.max(home[2] / 20, box[2] * factor));
      const height = width * home[3] / home[2];
      box = [cx - (cx - box[0]) * width / box[2], cy - (cy - box[1]) * height / box[3], width, height];
      apply();
    };
    const point = (event) => {
      const rect = svg.getBoundingClientRect();
      return [box[0] + (event.clientX - rect.left) / rect.width * box[2],
              box[1] + (event.clientY - rect.top) / rect.height * box[3]];
    };
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const [x, y] = point(event);
      zoom(event.deltaY < 0 ? 0.8 : 1.25, x, y);
    }, { passive: false });
    let drag = null;
    let moved = false;
    svg.addEventListener("pointerdown", (event) => { drag = point(event); moved = false; });
    svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const [x, y] = point(event);
      if (Math.abs(x - drag[0]) + Math.abs(y - drag[1]) > box[2] / 200) moved = true;
      box[0] -= x - drag[0];
      box[1] -= y - drag[1];
      apply();
    });
    window.addEventListener("pointerup", () => { drag = null; });
    // A drag is not a click: do not follow the link under the pointer.
    svg.addEventListener("click", (event) => { if (moved) event.preventDefault(); }, true);
    for (const button of frame.querySelectorAll("[data-zoom]")) {
      button.addEventListener("click", () => {
        const action = button.dataset.zoom;
        if (action === "reset") { box = home.slice(); apply(); return; }
        zoom(action === "in" ? 0.7 : 1 / 0.7, box[0] + box[2] / 2, box[1] + box[3] / 2);
      });
    }
  }
})();
