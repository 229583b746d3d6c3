"""Machine-readable answer sheets: where their bubbles are (layout), printing them (printsheet), and reading photos and
scans of them back into the class sheet that `quizgen grade` reads (reader, run)."""
