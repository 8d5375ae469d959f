"use strict";

(async () => {
  await StaffUI.load();
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  document.getElementById("switch-language").addEventListener("click", StaffUI.toggleLanguage);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const response = await fetch("/staff/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        username: document.getElementById("username").value,
        password: document.getElementById("password").value,
      }),
    });
    if (response.status === 204) {
      window.location.assign("/staff");
      return;
    }
    error.textContent = response.status === 429
      ? StaffUI.t("login_throttled", { seconds: response.headers.get("Retry-After") || "?" })
      : StaffUI.t("login_failed");
    error.hidden = false;
  });
})();
