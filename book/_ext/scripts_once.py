"""Sphinx extension: every page includes each script once.

Extensions that add an inline script after the HTML builder has started (sphinx-thebe's
``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) reach a page twice in
Sphinx 7.4: once from the registry (file name ``''``) and once from the builder (file
name ``None``). The second ``const`` is a console error on every page. This drops the
repeat; the browser suite (tests/browser) fails on any console error.
"""


def _key(script):
    return (script.filename or "", tuple(sorted(script.attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        if _key(script) not in seen:
            seen.add(_key(script))
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
