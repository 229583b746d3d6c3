"""Read a learner's Anki collection back: which bank items they keep failing, and how far they are through a source.

collection.py reads a copy of the collection (never the original), history.py maps its notes to bank items,
rank.py orders items by failures, fromanki.py turns the worst into a question set, progress.py sums up
sections and key points, and report.py prints them (rich table, printable HTML).
"""
