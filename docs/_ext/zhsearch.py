"""Sphinx extension: site search that finds Chinese clauses.

Two changes to Sphinx's own search, both through its extension points:

1. **Two-character terms.** Sphinx's Chinese search segments pages with jieba at build time
   (特种作业 → 特种, 作业) but the browser looks the query up whole, so a multi-character query
   finds nothing. Here the index holds every pair of adjacent Han characters and the browser
   splits the query the same way (``js_splitter_code``), so any query of two or more characters
   finds the pages that contain it, with no dictionary on either side.
2. **Clauses as search objects.** Sphinx's full-text results point at a page, not at a place in
   it. Each provision on a standard's page is registered (``clause-entry`` directive) as an
   object of the ``clause`` domain whose name is its label and text; the browser's object search
   matches the query inside that name and links to the clause's own anchor, ranked above the
   page-level results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import snowballstemmer
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.domains import Domain, ObjType
from sphinx.search.zh import SearchChinese
from sphinx.util.docutils import SphinxDirective

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
WORD = re.compile(r"\w+")

# The browser side of ``split``: the same pairs for Han runs, words elsewhere. It is inserted into
# language_data.js by a template, so it avoids the characters HTML escaping would change.
JS_SPLITTER = r"""
function splitQuery(query) {
  const terms = [];
  for (const part of query.split(/[^\p{Letter}\p{Number}_]+/u)) {
    for (const run of part.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) || []) {
      if (!/\p{Script=Han}/u.test(run)) {
        terms.push(run);
      } else if (run.length === 1) {
        terms.push(run);
      } else {
        for (let i = 1; i !== run.length; i++) terms.push(run.slice(i - 1, i + 1));
      }
    }
  }
  return terms;
}
"""


def han_pairs(run: str) -> list[str]:
    """Every two adjacent characters of a run of Han characters (a single character stays one)."""
    if len(run) == 1:
        return [run]
    return [run[i - 1 : i + 1] for i in range(1, len(run))]


class ChinesePairSearch(SearchChinese):
    """Chinese search over two-character terms; Latin words as Sphinx's Chinese search has them."""

    js_splitter_code = JS_SPLITTER

    def init(self, options: dict[str, str]) -> None:
        # Sphinx's Chinese search loads jieba here; pairs need no dictionary.
        self.stemmer = snowballstemmer.stemmer("english")

    def split(self, input: str) -> list[str]:
        terms = [pair for run in HAN.findall(input) for pair in han_pairs(run)]
        latin = WORD.findall(HAN.sub(" ", input))
        self.latin_terms.update(latin)
        return terms + latin


class ClauseDomain(Domain):
    """Clauses of the standards, as search objects that link to each clause's anchor."""

    name = "clause"
    label = "条款"
    object_types: ClassVar[dict[str, ObjType]] = {"rule": ObjType("判定规则"), "provision": ObjType("条款")}
    initial_data: ClassVar[dict[str, Any]] = {"entries": {}}  # item id → (docname, anchor, kind, name)

    @property
    def entries(self) -> dict[str, tuple[str, str, str, str]]:
        return self.data.setdefault("entries", {})  # type: ignore[no-any-return]

    def clear_doc(self, docname: str) -> None:
        for key in [k for k, v in self.entries.items() if v[0] == docname]:
            del self.entries[key]

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        for key, value in otherdata["entries"].items():
            if value[0] in wanted:
                self.entries[key] = value

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for item_id, (docname, anchor, kind, name) in self.entries.items():
            yield item_id, name, kind, docname, anchor, 0

    def get_type_name(self, type: ObjType, primary: bool = False) -> str:
        return str(type.lname)  # shown in search results: 判定规则 / 条款

    def resolve_any_xref(self, *args: Any) -> list[Any]:
        return []


class ClauseEntry(SphinxDirective):
    """``clause-entry ID`` with the clause's label and text as content: registers a search object."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"kind": lambda value: directives.choice(value, ("rule", "provision"))}

    def run(self) -> list[nodes.Node]:
        item_id = self.arguments[0]
        anchor = item_id.replace(":", "-").replace(".", "-")
        name = " ".join(line.strip() for line in self.content if line.strip())
        domain = self.env.get_domain("clause")
        assert isinstance(domain, ClauseDomain)
        domain.entries[item_id] = (self.env.docname, anchor, self.options.get("kind", "provision"), name)
        return []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(ChinesePairSearch)
    app.add_domain(ClauseDomain)
    app.add_directive("clause-entry", ClauseEntry)
    return {"version": "1", "parallel_read_safe": True, "env_version": 1}
