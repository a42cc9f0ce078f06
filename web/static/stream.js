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

  // The article in view is the one across the middle of the viewport (or, in a gap, the
  // one that fills most of it), found again after every scroll however it came: a flick,
  // Page Down, the End key or a jump to a link. Watching a band around headlines missed
  // the headlines a brisk scroll jumped over.
  function inView() {
    var mid = window.innerHeight / 2, best = null, most = 0;
    var stories = stream.querySelectorAll(".story");
    for (var i = 0; i < stories.length; i++) {
      var r = stories[i].getBoundingClientRect();
      if (r.top <= mid && r.bottom > mid) return stories[i];
      var seen = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
      if (seen > most) { most = seen; best = stories[i]; }
    }
    return best;
  }
  var queued = false;
  function follow() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; var s = inView(); if (s) show(s); });
  }
  window.addEventListener("scroll", follow, { passive: true });
  window.addEventListener("resize", follow, { passive: true });

  function watch(story) {
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
