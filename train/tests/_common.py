"""Shared helpers for the train/ tests: import path and small inline corpora."""

import os
import sys

TRAIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAIN_DIR not in sys.path:
    sys.path.insert(0, TRAIN_DIR)

# A small inline text with enough repetition for a tiny model to learn from.
TINY_TEXT = "\n".join([
    "the cat sat on the mat .",
    "the dog sat on the log .",
    "i don't know what you mean , but i will call you tomorrow .",
    "we can meet on monday at the office .",
    "thank you for your e-mail , i will reply soon .",
    "the cat and the dog are friends .",
    "please send me the file by friday .",
    "i think we should meet on monday .",
] * 12) + "\n"
