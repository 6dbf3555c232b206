// The who-supports-what matrix: filter its rows by category, sort by any column.
(function () {
  "use strict";
  var table = document.getElementById("kb-matrix");
  if (!table) return;
  var body = table.tBodies[0];
  var select = document.getElementById("kb-matrix-category");
  var count = document.getElementById("kb-matrix-count");
  var RANK = { supports: 0, mixed: 1, opposes: 2, "": 3 };

  function value(row, col) {
    var cell = row.cells[col];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  function filter() {
    var wanted = select.value, shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = !wanted || row.dataset.category === wanted;
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + (shown === 1 ? " organisation" : " organisations");
  }

  var sorted = { col: 0, dir: 1 };
  function sortBy(col) {
    sorted.dir = sorted.col === col ? -sorted.dir : 1;
    sorted.col = col;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, col), y = value(b, col), d;
      if (col === 2) d = Number(x) - Number(y);
      else if (col >= 3) d = RANK[x] - RANK[y];
      else d = x.localeCompare(y);
      // Empty cells stay last whichever way the column is sorted.
      if (col >= 3 && (x === "" || y === "")) return (x === "") - (y === "");
      return d * sorted.dir || value(a, 0).localeCompare(value(b, 0));
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i === col ? (sorted.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.style.cursor = "pointer";
    th.addEventListener("click", function () { sortBy(Number(th.dataset.col)); });
  });
  select.addEventListener("change", filter);
  filter();
})();
