// The first load's safety net, a classic script that runs before the
// modules: when app.js or one of its imports cannot be loaded or run (a
// proxy's error page, a cut connection, a browser without JavaScript
// modules), the page says so and offers to reload, instead of staying blank.
// app.js marks the page as started (data-started on <html>) as it runs;
// modules run before DOMContentLoaded, so by then the mark must be there.
(function () {
  'use strict';
  var shown = false;
  function fail() {
    if (shown || document.documentElement.hasAttribute('data-started')) return;
    var main = document.getElementById('main');
    if (!main) return;
    shown = true;
    var heading = document.createElement('h1');
    heading.textContent = 'The dashboard did not load';
    heading.setAttribute('tabindex', '-1');
    var text = document.createElement('p');
    text.textContent = 'Its scripts could not be loaded or run. Reload the page; if this stays, check that '
      + 'clawmit serve is running and reachable, and that the browser runs JavaScript modules '
      + '(current Chromium, Firefox or Safari).';
    var reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function () { location.reload(); });
    main.replaceChildren(heading, text, reload);
    main.setAttribute('data-load-failed', '');
    document.title = 'Not loaded · Clawmit';
    heading.focus();
  }
  // A script that could not be fetched: its error does not bubble, so listen
  // while it goes down.
  window.addEventListener('error', function (event) {
    var target = event.target;
    if (target && target.tagName === 'SCRIPT') {
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fail);
      else fail();
    }
  }, true);
  document.addEventListener('DOMContentLoaded', function () {
    // Once the module scripts have run (or failed): give a failed module's
    // own error event its turn first.
    setTimeout(fail, 0);
  });
}());
