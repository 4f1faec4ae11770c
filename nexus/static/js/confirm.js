// Asks before a <form data-confirm="question"> is submitted: the Content-Security-Policy refuses
// inline onsubmit handlers, so this listens once for the whole page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
