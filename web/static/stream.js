// Continuous stream: when the reader reaches the end of an article, the next one is loaded
// below it, and the address bar, title and canonical follow the article in view. Without
// JavaScript, the "Next article" link works as a plain link.
(function () {
  "use strict";
  var stream = document.querySelector(".stream");
  if (!stream || !("IntersectionObserver" in window) || !window.fetch || !window.history.replaceState) return;
  var canonical = document.querySelector('link[rel="canonical"]');
  var loading = false;

  function show(story) {
    var url = story.getAttribute("data-url"), title = story.getAttribute("data-title");
    if (!url) return;
    // The address bar takes the path: the site may be reached under another host name
    // than its canonical one.
    var path = new URL(url, location.href).pathname;
    if (location.pathname === path) return;
    history.replaceState({ path: path }, "", path);
    if (title) document.title = title;
    if (canonical) canonical.href = url;
  }

  var inView = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) show(e.target.closest(".story")); });
  }, { rootMargin: "-45% 0px -50% 0px" });

  function watch(story) {
    inView.observe(story.querySelector("h1") || story);
    story.addEventListener("focusin", function () { show(story); });
  }

  function load(link) {
    if (loading) return;
    loading = true;
    var aside = link.closest(".next");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var story = doc.querySelector(".stream .story");
        if (!story) throw new Error("no article");
        var next = doc.querySelector(".stream .next");
        story = document.importNode(story, true);
        aside.replaceWith(story);
        watch(story);
        if (next) {
          next = document.importNode(next, true);
          story.after(next);
          observeNext(next);
        }
        loading = false;
      })
      .catch(function () { loading = false; nearEnd.disconnect(); });
  }

  var nearEnd = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { nearEnd.unobserve(e.target); load(e.target.querySelector("[data-next]")); }
    });
  }, { rootMargin: "0px 0px 600px 0px" });

  function observeNext(aside) { if (aside.querySelector("[data-next]")) nearEnd.observe(aside); }

  stream.querySelectorAll(".story").forEach(watch);
  var first = stream.querySelector(".next");
  if (first) observeNext(first);
})();
