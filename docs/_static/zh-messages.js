/* Search messages that Sphinx 8.2's zh_CN catalog lacks (it still has the older "page(s)" wording).
   Loaded after translations.js, whose catalog this extends. */
Documentation.addTranslations({
  locale: "zh_CN",
  plural_expr: "0",
  messages: {
    "Search finished, found one page matching the search query.": [
      "搜索完成，找到 ${resultCount} 个匹配的页面。",
    ],
  },
});
