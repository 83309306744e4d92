"""The legal articles behind each hard-constraint type, as far as they are known with confidence.

A land department's opinion cites the article, not only the law. `ARTICLES` gives, per
constraint type of `layout.model.constraints.CONSTRAINT_TYPES`, the articles this package
cites, each with the text's edition. Only articles whose number and content the authors are
confident of are listed; a type without one (steep ground under CJJ 83, the wetland and scenic
regulations) shows the layer's legal basis and "article not given" — never a guessed number.
Check the articles against the current text before filing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One article of a law or regulation.

    Attributes
    ----------
    law
        The law with its edition (``《中华人民共和国土地管理法》（2019年修正）``).
    article
        The article (``第三十五条``).
    gist_zh, gist_en
        What it says about building on such land, in a few words.
    """

    law: str
    article: str
    gist_zh: str
    gist_en: str

    def cite(self, lang: str = "zh") -> str:
        """``《…》第…条（gist）`` in the language asked for."""
        gist = self.gist_zh if lang == "zh" else self.gist_en
        return f"{self.law}{self.article}（{gist}）" if lang == "zh" else (
            f"{self.law} {self.article} ({gist})")


#: Articles cited per constraint type (types without an entry: article not given).
ARTICLES: dict[str, tuple[Article, ...]] = {
    "basic_farmland": (
        Article("《中华人民共和国土地管理法》（2019年修正）", "第三十五条",
                "永久基本农田经依法划定后，任何单位和个人不得擅自占用或者改变其用途",
                "once designated, permanent basic farmland may not be occupied or its use "
                "changed without approval"),
    ),
    "eco_redline": (
        Article("《中华人民共和国环境保护法》（2014年修订）", "第二十九条",
                "在重点生态功能区、生态环境敏感区和脆弱区等区域划定生态保护红线，实行严格保护",
                "an ecological protection red line is drawn and strictly protected"),
    ),
    "water_source": (
        Article("《中华人民共和国水污染防治法》（2017年修正）", "第六十五条",
                "一级保护区内禁止新建、改建、扩建与供水设施和保护水源无关的建设项目",
                "no project unrelated to water supply in a first-grade protection zone"),
        Article("《中华人民共和国水污染防治法》（2017年修正）", "第六十六条",
                "二级保护区内禁止新建、改建、扩建排放污染物的建设项目",
                "no polluting project in a second-grade protection zone"),
    ),
    "flood_zone": (
        Article("《中华人民共和国防洪法》", "第三十三条",
                "在洪泛区、蓄滞洪区内建设非防洪建设项目，应当编制洪水影响评价报告",
                "a non-flood-control project in a flood-storage area needs a flood impact "
                "assessment"),
    ),
}


def articles(kind: str) -> tuple[Article, ...]:
    """The articles cited for a constraint type (empty: article not given).

    Examples
    --------
    >>> [a.article for a in articles("water_source")], articles("steep_slope")
    (['第六十五条', '第六十六条'], ())
    """
    return ARTICLES.get(kind, ())
