"use strict";
(() => {
  const rows = Array.from(document.querySelectorAll("li.file"));
  const boxes = Array.from(document.querySelectorAll("input[data-filter]"));
  const search = document.getElementById("q");
  const shown = document.getElementById("shown");
  const empty = document.getElementById("empty");
  const groups = [...new Set(boxes.map((b) => b.dataset.filter))];
  const values = new Map(rows.map((r) => [r, Object.fromEntries(groups.map((g) => [g, (r.dataset[g] || "").split(" ")]))]));

  const lazy = "IntersectionObserver" in window
    ? new IntersectionObserver((seen) => {
        for (const e of seen) {
          if (!e.isIntersecting) continue;
          lazy.unobserve(e.target);
          e.target.src = e.target.dataset.src;
          e.target.removeAttribute("data-src");
        }
      }, { rootMargin: "600px 0px" })
    : null;
  for (const img of document.querySelectorAll("img[data-src]")) {
    if (lazy) lazy.observe(img);
    else img.src = img.dataset.src;
  }

  function apply() {
    const on = Object.fromEntries(groups.map((g) => [g, new Set(boxes.filter((b) => b.dataset.filter === g && b.checked).map((b) => b.value))]));
    const query = search.value.trim().toLowerCase();
    let count = 0;
    for (const r of rows) {
      const v = values.get(r);
      const visible = groups.every((g) => v[g].some((x) => on[g].has(x))) && (!query || r.dataset.path.includes(query));
      r.hidden = !visible;
      if (visible) count++;
    }
    shown.textContent = `Showing ${count} of ${rows.length} file${rows.length === 1 ? "" : "s"}`;
    empty.hidden = count !== 0;
  }

  let timer = 0;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(apply, 120); });
  search.addEventListener("keydown", (e) => { if (e.key === "Escape") { search.value = ""; apply(); } });
  for (const b of boxes) b.addEventListener("change", apply);
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && e.target !== search) { e.preventDefault(); search.focus(); }
  });
  apply();
})();
