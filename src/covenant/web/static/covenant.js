// Covenant workbench: copy a citation to the clipboard. Loaded as a file (the Content-Security-Policy forbids
// inline scripts and on* attributes), so the buttons are wired here.
"use strict";

(function () {
  var STYLE_KEY = "covenant.citationStyle";

  function chosenStyle() {
    try {
      return window.localStorage.getItem(STYLE_KEY) || "coi";
    } catch (e) {
      return "coi";
    }
  }

  function setStyle(style) {
    try {
      window.localStorage.setItem(STYLE_KEY, style);
    } catch (e) {
      // storage may be off (private mode): the choice then lasts for this page only
    }
    document.querySelectorAll(".cite-style-select").forEach(function (select) {
      select.value = style;
    });
  }

  function say(button, text) {
    var was = button.dataset.label || button.textContent;
    button.dataset.label = was;
    button.textContent = text;
    window.setTimeout(function () {
      button.textContent = was;
    }, 1500);
  }

  function copy(button) {
    var style = chosenStyle();
    var text = style === "plain" ? button.dataset.plain : button.dataset.coi;
    if (!navigator.clipboard) {
      window.prompt("Copy the citation:", text);
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () {
        say(button, "copied");
      },
      function () {
        window.prompt("Copy the citation:", text);
      }
    );
  }

  document.addEventListener("DOMContentLoaded", function () {
    setStyle(chosenStyle());
    document.querySelectorAll(".cite-style-select").forEach(function (select) {
      select.addEventListener("change", function () {
        setStyle(select.value);
      });
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button.copy-citation");
      if (button) {
        copy(button);
      }
    });
    var highlighted = document.querySelector(".passage.highlight");
    if (highlighted && !window.location.hash) {
      highlighted.scrollIntoView({ block: "center" });
    }
  });
})();
