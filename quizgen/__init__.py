"""quizgen: Anki decks and printable quizzes from a curated interview bank."""

__version__ = "0.1.0"
