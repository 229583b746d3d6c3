"""1 MB of Markdown built to make a backtracking link or emphasis pattern take forever."""

from __future__ import annotations


def adversarial(size: int = 1_000_000) -> str:
    """Nested brackets, long URLs, runs of `*`, linked images and broken bold labels, repeated to `size` characters."""
    url = "https://mp.weixin.qq.com/s?__biz=" + "Mz" * 120
    pieces = [
        "[" * 200 + "文字" + "]" * 199 + "\n\n",
        f"[链接]({url} 后面还有字((((((\n\n",
        "*" * 3000 + "正文" + "*" * 2999 + "\n\n",
        f"[![图片]({url})]({url})" * 20 + "文字\n\n",
        "**「暗涌」** **：" + "问" * 50 + "？**\n\n",
        "****「暗涌」：****" + "_" * 500 + "答" * 50 + "\n\n",
        "![图片](" + "(" * 500 + ")**做研究**\n\n",
        "> " * 300 + "引用\n\n",
    ]
    block = "".join(pieces)
    return ("# 标题\n\n" + block * (size // len(block) + 1))[:size]
