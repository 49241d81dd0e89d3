"""Sphinx configuration. The rule pages under rules/ are generated from the rule pack at build time
(_ext/rulepages.py), so they can never drift from the code."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

import hazardrules

project = "hazardrules"
author = "hazardrules developers"
copyright = "2026, hazardrules developers"
release = hazardrules.__version__
language = "zh_CN"  # the rule pages are Chinese; site search segments Chinese with jieba

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "rulepages",
]
myst_enable_extensions = ["colon_fence", "tasklist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_theme_options = {"description": "重大事故隐患判定标准 · rules as code", "fixed_sidebar": True}
html_search_language = "zh"
html_static_path: list[str] = []
autodoc_member_order = "bysource"
autodoc_typehints = "description"
suppress_warnings = ["myst.header"]
nitpicky = False
