"""Brown corpus parsing (data.py) and lexicon hygiene (lexicon.py), on small
fixtures: no network, no npm, no installed word lists."""

import io
import os
import tarfile
import tempfile
import unittest

import _common  # noqa: F401  (import path)
import data as D
import lexicon as L
import tokenizer as T


def brown_tarball(path, files):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class BrownTest(unittest.TestCase):
    def test_word_drops_tag(self):
        self.assertEqual(D.brown_word("jury/nn"), "jury")
        self.assertEqual(D.brown_word("Atlanta's/np$"), "Atlanta's")
        self.assertEqual(D.brown_word("1-1/2/cd"), "1-1/2")       # the last '/' splits
        self.assertIsNone(D.brown_word("**yf/nn"))                  # formula placeholder

    def test_detokenize(self):
        words = ["``", "Only", "a", "handful", "(", "of", "them", ")", "was", "received",
                 "''", ",", "the", "jury", "said", "--", "twice", "."]
        self.assertEqual(D.detokenize(words),
                         '"Only a handful (of them) was received", the jury said -- twice.')
        # the tokenizer sees the words it would see in the space-joined form
        self.assertEqual(T.train_tokens(D.detokenize(words)),
                         T.train_tokens(" ".join('"' if w in ("``", "''") else w for w in words)))

    def test_sentences_and_latin1(self):
        text = ("\n\n\tThe/at jury/nn said/vbd ./.\n\n\n"
                "Merger/nn-hl proposed/vbn-hl\n\n"
                "\tHe/pps paid/vbd 5/cd caf\xe9/nn bills/nns ./.\n").encode("latin-1")
        with tempfile.TemporaryDirectory() as d:
            tgz = os.path.join(d, "brown.tgz")
            brown_tarball(tgz, {"cb01": text, "ca01": b"\tA/at b/nn c/nn ./.\n",
                                "README": b"x/y z/w q/r s/t\n", "cats.txt": b"ca01 news\n"})
            lines, n = D.brown_lines(tgz)
        self.assertEqual(n, 2)                      # README and cats.txt are not text files
        self.assertEqual(lines, ["A b c.", "The jury said.", "He paid 5 caf\u00e9 bills."])

    def test_valid_parts(self):
        parts = (("a", ["1", "2", "3"]), ("b", ["4", "5", "6", "7"]))
        v = D.valid_parts(parts, 2)
        self.assertEqual(v["a"]["lines"], 1)        # line 2
        self.assertEqual(v["b"]["lines"], 2)        # lines 4 and 6


class HygieneTest(unittest.TestCase):
    LISTS = L.lists_from_words([
        "tomorrow", "morrow", "knobs", "Washington", "the", "Congress", "congress",
        "government", "Government", "I", "i", "NASA", "next", "server", "email"])
    COUNTS = {"nextserver": 8, "to-morrow": 9, "tomorrow": 200, "knobs": 5,
              "washington": 600, "the": 9000, "congress": 4000, "government": 7000,
              "i": 16000, "nasa": 17, "e-mail": 75, "email": 349, "well-known": 30,
              "redhat": 40, "x11": 50}
    CASES = {"knobs": [3, 0, 2, 0], "washington": [0, 625, 1, 0], "the": [234560, 2088, 182, 0],
             "congress": [35, 4931, 9, 0], "government": [1839, 5452, 8, 0],
             "i": [372, 15554, 0, 0], "nasa": [0, 1, 16, 0], "redhat": [10, 30, 0, 0]}

    def hygiene(self, text_min=20):
        return L.Hygiene(self.LISTS, {"gonna": 900}, self.COUNTS, self.CASES,
                         subtlex_min=50, text_min=text_min)

    def test_which_strings_are_words(self):
        h = self.hygiene(text_min=1000)
        self.assertEqual(h.why_not("nextserver"), "unknown")
        self.assertEqual(h.why_not("to-morrow"), "archaic")
        self.assertEqual(h.why_not("e-mail"), "archaic")    # the text writes "email" more
        self.assertEqual(h.why_not("x11"), "form")
        self.assertTrue(h.is_word("knobs"))
        self.assertTrue(h.is_word("washington"))
        self.assertTrue(h.is_word("washington's"))          # a possessive of a word
        self.assertTrue(h.is_word("gonna"))                 # subtlex
        self.assertFalse(h.is_word("redhat"))
        self.assertTrue(self.hygiene(text_min=20).is_word("redhat"))   # frequent in the text

    def test_display_case(self):
        h = self.hygiene()
        self.assertEqual(h.display("knobs"), "knobs")        # not KNOBS
        self.assertEqual(h.display("washington"), "Washington")
        self.assertEqual(h.display("washington's"), "Washington's")
        self.assertEqual(h.display("the"), "the")            # sentence-initial The counts for nothing
        self.assertEqual(h.display("congress"), "Congress")
        self.assertEqual(h.display("government"), "government")
        self.assertEqual(h.display("i"), "I")
        self.assertEqual(h.display("nasa"), "NASA")
        self.assertEqual(h.display("redhat"), "Redhat")      # not in the lists: the text's case

    def test_sentence_initial_capital_ignored(self):
        cases = T.count_cases(["The cat sat. The dog ran", "and the end: The start", "\"The quote"])
        self.assertEqual(cases["the"], [1, 0, 0, 0])
        cases = T.count_cases(["we met Washington and WASHINGTON and Washington"])
        self.assertEqual(cases["washington"], [0, 2, 1, 0])

    def test_build(self):
        rows = sorted(self.COUNTS.items(), key=lambda kv: (-kv[1], kv[0]))
        vocab = ["<unk>", "<s>", "</s>", "the", "i", ",", "1st", "2002", "x11", "to-morrow"]
        lex, surface, unsuggested, report = L.build(rows, vocab, self.hygiene(), min_count=2)
        words = [l.split("\t")[0] for l in lex]
        self.assertNotIn("nextserver", words)
        self.assertNotIn("to-morrow", words)
        self.assertNotIn("the", words)                       # vocabulary words are not in the text
        self.assertIn("knobs", words)
        self.assertEqual(unsuggested, ["x11", "to-morrow"])
        self.assertIn("i\t^", surface)
        self.assertIn("washington\t^", surface)
        self.assertIn("nasa\t^^", surface)
        self.assertFalse(any(l.startswith("knobs\t") for l in surface))
        self.assertFalse(any(l.startswith("the\t") for l in surface))
        kept = [l.split("\t")[0] for l in
                L.build(rows, vocab, self.hygiene(), min_count=2, keep_all=True)[0]]
        self.assertIn("nextserver", kept)                    # --keep-all: only archaic forms go
        self.assertNotIn("to-morrow", kept)
        again = L.build(rows, vocab, self.hygiene(), min_count=2)
        self.assertEqual((lex, surface, unsuggested, report), again)

    def test_form_filter(self):
        """The shipped rule: well-formed and not archaic; unlisted words stay."""
        counts = dict(self.COUNTS, **{"000203": 4, "00am": 3, "af6_decore": 5})
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        vocab = ["<unk>", "<s>", "</s>", "the", ",", "1st", "2002", "x11", "to-morrow", "e-mail"]
        hyg = L.Hygiene(self.LISTS, {"gonna": 900}, counts, self.CASES, subtlex_min=50, text_min=20)
        lex, surface, withheld, report = L.build(rows, vocab, hyg, min_count=2, drop=L.FILTERS["form"])
        words = [l.split("\t")[0] for l in lex]
        self.assertIn("nextserver", words)                   # well-formed, unlisted: kept
        self.assertIn("redhat", words)
        for junk in ("000203", "00am", "af6_decore", "to-morrow"):
            self.assertNotIn(junk, words)
        self.assertEqual(report["filter"], "form")
        self.assertEqual(report["tail_dropped"].get("form"), 3)
        # Vocabulary: malformed and archaic tokens are withheld; punctuation, numbers stay.
        self.assertEqual(withheld, ["x11", "to-morrow", "e-mail"])


if __name__ == "__main__":
    unittest.main()
