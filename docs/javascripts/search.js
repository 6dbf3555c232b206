// Pagefind's UI with facets and date ordering; the query and order live in the URL
// (?q=…&sort=desc) so a search can be bookmarked and shared.
(function () {
  var params = new URLSearchParams(window.location.search);
  var sort = params.get("sort");
  var select = document.getElementById("kb-sort");
  if (sort === "asc" || sort === "desc") {
    select.value = sort;
  }
  var options = {
    element: "#kb-search",
    showSubResults: false,
    showImages: false,
    pageSize: 5,
    excerptLength: 30,
    resetStyles: false,
  };
  if (select.value) {
    options.sort = { date: select.value };
  }
  var ui = new PagefindUI(options);
  var q = params.get("q");
  if (q) {
    ui.triggerSearch(q);
  }
  select.addEventListener("change", function () {
    var input = document.querySelector("#kb-search input");
    var next = new URLSearchParams();
    if (input && input.value) next.set("q", input.value);
    if (select.value) next.set("sort", select.value);
    window.location.search = next.toString();
  });
})();
