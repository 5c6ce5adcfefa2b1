// Usher's page: times in the browser's time zone. Everything works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  for (const element of document.querySelectorAll("time[datetime]")) {
    const date = new Date(element.getAttribute("datetime"));
    if (!isNaN(date)) {
      element.textContent = format.format(date);
      element.title = date.toISOString();
    }
  }
});
