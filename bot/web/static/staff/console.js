// The console: who is signed in, the CSRF token every change sends, sign-out.
"use strict";

const Staff = { csrf: null, me: null };

async function staffFetch(url, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = Staff.csrf;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(url, { ...options, headers });
  if (response.status === 401) window.location.assign("/staff/login");
  return response;
}

(async () => {
  await StaffUI.load();
  const response = await staffFetch("/staff/api/me");
  Staff.me = await response.json();
  Staff.csrf = Staff.me.csrf_token;
  const who = document.getElementById("who");
  const showWho = () => {
    who.textContent = StaffUI.t("signed_in_as", { name: Staff.me.display_name });
  };
  showWho();
  document.getElementById("switch-language").addEventListener("click", () => {
    StaffUI.toggleLanguage();
    showWho();
    document.dispatchEvent(new Event("staff-language"));
  });
  document.getElementById("sign-out").addEventListener("click", async () => {
    await staffFetch("/staff/logout", { method: "POST" });
    window.location.assign("/staff/login");
  });
  document.dispatchEvent(new Event("staff-ready"));
})();
