/* Small fixes for the reader's site (issue #19). Loaded on every page by Jupyter Book (every .js
   file in _static is added). No network, no dependency. */
document.addEventListener("DOMContentLoaded", () => {
  /* 1. Phone menu. pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 both attach their
     sidebar handlers to the FIRST ".primary-toggle" / ".secondary-toggle" in the page, which is a
     navbar icon that the book theme hides; the visible header buttons therefore did nothing.
     Forward a click on any other toggle to the one that carries the handlers. */
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [handled, ...others] = document.querySelectorAll(selector);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        handled.click();
      });
    }
  }

  /* 2. Search summaries: Sphinx shows a snippet of the page's text around the hit; leave out the
     hidden code cells, so that a result never shows code the page hides. (The search index itself
     skips code cells: see helpers/site.py.) */
  if (typeof Search !== "undefined" && typeof Search.htmlToText === "function") {
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".cell_input, details.above-input")
        .forEach((el) => el.remove());
      return original(doc.documentElement.outerHTML, anchor);
    };
  }
});
