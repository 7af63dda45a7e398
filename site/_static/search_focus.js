// The search page: the focus starts in the search field (the theme does this inline).
const searchInput = document.querySelector("form.bd-search input");
if (searchInput) {
  searchInput.focus();
  searchInput.select();
}
