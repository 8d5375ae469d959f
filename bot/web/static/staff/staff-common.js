// Shared by the staff pages: the UI language (zh or en, remembered on this device) and its
// strings. Every text goes into the page with textContent, never innerHTML.
"use strict";

const StaffUI = (() => {
  let strings = {};
  let language = localStorage.getItem("staff-language") === "en" ? "en" : "zh";

  function t(key, params) {
    let text = (strings[language] || {})[key] || (strings.en || {})[key] || key;
    for (const [name, value] of Object.entries(params || {})) {
      text = text.replace(`{${name}}`, String(value));
    }
    return text;
  }

  function apply() {
    document.documentElement.lang = language;
    for (const element of document.querySelectorAll("[data-text]")) {
      element.textContent = t(element.dataset.text);
    }
    for (const element of document.querySelectorAll("[data-placeholder]")) {
      element.placeholder = t(element.dataset.placeholder);
    }
    document.title = t("title");
  }

  async function load() {
    const response = await fetch("/staff/ui-strings");
    strings = await response.json();
    apply();
  }

  function toggleLanguage() {
    language = language === "zh" ? "en" : "zh";
    localStorage.setItem("staff-language", language);
    apply();
  }

  return { t, load, apply, toggleLanguage, get language() { return language; } };
})();
