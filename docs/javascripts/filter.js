// A table's rows filtered by the category chosen above it (question pages).
(function () {
  "use strict";
  var table = document.getElementById("kb-filter-table");
  var select = document.getElementById("kb-filter-category");
  var count = document.getElementById("kb-filter-count");
  if (!table || !select) return;
  function filter() {
    var wanted = select.value, shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = !wanted || row.dataset.category === wanted;
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + (shown === 1 ? " answer" : " answers");
  }
  select.addEventListener("change", filter);
  filter();
})();
