// The colour mode the learner chose on an earlier visit, set before the page is drawn (the
// theme does this with an inline script, which the site's Content-Security-Policy blocks).
try {
  document.documentElement.dataset.mode = localStorage.getItem("mode") || "auto";
  document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";
} catch {
  // storage turned off: the theme follows the system's mode
}
