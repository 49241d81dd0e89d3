"""Sphinx configuration. The rule pages under rules/ are generated from the rule pack at build time
(_ext/rulepages.py), so they can never drift from the code; _ext/zhsearch.py makes the site search
find Chinese clauses; _static/hazardrules.css holds the screen and print (A4) styles."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import hazardrules

project = "hazardrules"
author = "hazardrules developers"
copyright = "2026, hazardrules developers"
release = hazardrules.__version__
# Auditors read the site: Sphinx's own words (navigation, search, admonitions) in Chinese.
language = "zh_CN"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "rulepages",
    "zhsearch",
]
myst_enable_extensions = ["colon_fence", "tasklist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
locale_dirs = ["locales"]  # Chinese for the few words Sphinx's and Alabaster's catalogs lack
html_theme = "alabaster"
html_theme_options = {"description": "重大事故隐患判定标准 · 规则化实现", "fixed_sidebar": True}
html_title = "hazardrules：重大事故隐患判定标准"
html_search_language = "zh"
html_static_path = ["_static"]
html_extra_path = ["_schemas"]  # the generated JSON Schemas and OpenAPI document, at /schemas/
html_css_files = ["hazardrules.css"]
html_js_files = [("zh-messages.js", {"priority": 600})]  # after Sphinx's translations.js
# The search box with a Chinese heading (Alabaster's default search field has an English placeholder).
html_sidebars = {"**": ["about.html", "searchbox.html", "navigation.html", "relations.html"]}
html_show_sphinx = False
html_show_sourcelink = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
suppress_warnings = ["myst.header"]
nitpicky = False
