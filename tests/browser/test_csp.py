"""The page's Content-Security-Policy in Chromium: booting breaks none of it (no violation, no
console error), and the policy really is enforced (an inline style attribute is refused while a
CSSOM property set from script is allowed, so BrowserCanvas may size canvases)."""

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" ")));
"""


def watch(page) -> list[str]:
    """Record console errors of `page` (returned list, filled as they come)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(RECORD_VIOLATIONS)
    return errors


def expected_errors(errors: list[str]) -> list[str]:
    """Console errors minus the one the no-NumPy server causes on purpose (the HEAD 404)."""
    return [e for e in errors if "404 (File not found)" not in e]


def test_booting_violates_nothing(page, base_url):
    errors = watch(page)
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")  # Python ran, then: NumPy missing
    assert page.inner_text("#status") == "NumPy missing"
    assert page.evaluate("window.__violations") == []
    assert expected_errors(errors) == []
    policy = page.get_attribute("meta[http-equiv=Content-Security-Policy]", "content")
    assert "style-src 'self';" in policy and "'unsafe-inline'" not in policy


def test_the_policy_is_enforced_on_styles_and_scripts(page, base_url):
    watch(page)
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector("#status[data-state=error]")
    result = page.evaluate("""() => {
      const a = document.createElement("div");
      a.setAttribute("style", "width: 123px");
      const b = document.createElement("div");
      b.style.width = "77px";
      document.body.append(a, b);
      const script = document.createElement("script");
      script.textContent = "window.__inline = true";
      document.body.append(script);
      return [a.getBoundingClientRect().width, b.getBoundingClientRect().width,
              window.__inline === true];
    }""")
    width_attr, width_cssom, inline_ran = result
    assert width_attr != 123 and width_cssom == 77 and not inline_ran
    page.wait_for_function("window.__violations.length >= 2")
    directives = " ".join(page.evaluate("window.__violations"))
    assert "style-src-attr" in directives and "script-src-elem" in directives


def test_playing_and_training_violate_nothing(browser, full_base_url):
    """With a full Pyodide distribution (PYODIDE_DIST): the complete app, played and trained."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    errors = watch(page)
    page.goto(f"{full_base_url}/index.html")
    page.wait_for_selector("#app[data-boot=started]")
    page.click("#start")
    page.wait_for_selector("#status[data-state=complete]")
    page.click("#train-start")
    page.wait_for_function("document.getElementById('train-progress').value > 0")
    page.click("#train-pause")
    assert page.evaluate("window.__violations") == []
    assert errors == []
    context.close()

