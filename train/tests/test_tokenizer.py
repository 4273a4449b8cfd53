import contextlib
import io
import json
import os
import tempfile
import unittest

import _common  # noqa: F401  (import path)
import tokenizer as T


class EvalTokenRuleTest(unittest.TestCase):
    def test_apostrophes_and_hyphens(self):
        self.assertEqual(T.eval_tokens("I don't think it's a well-known e-mail trick."),
                         ["I", "don't", "think", "it's", "a", "well-known", "e-mail", "trick", "."])
        # Curly apostrophe is an inner apostrophe too (EVAL keeps the character).
        self.assertEqual(T.eval_tokens("don’t"), ["don’t"])
        # Leading/trailing apostrophes and hyphens are punctuation tokens.
        self.assertEqual(T.eval_tokens("'quoted' -dash- rock'n'roll"),
                         ["'", "quoted", "'", "-", "dash", "-", "rock'n'roll"])
        self.assertEqual(T.eval_tokens("a--b"), ["a", "-", "-", "b"])

    def test_punctuation_each_char(self):
        self.assertEqual(T.eval_tokens("Wait...what?!"), ["Wait", ".", ".", ".", "what", "?", "!"])
        self.assertEqual(T.eval_tokens("$9.99 (approx)"), ["$", "9", ".", "99", "(", "approx", ")"])

    def test_unicode_words(self):
        self.assertEqual(T.eval_tokens("Grüße aus Köln, naïve café"),
                         ["Grüße", "aus", "Köln", ",", "naïve", "café"])
        self.assertEqual(T.eval_tokens("snake_case x2"), ["snake_case", "x2"])

    def test_urls_and_emails_dropped(self):
        self.assertEqual(T.eval_tokens("see http://example.com/a?b=1 or www.x.org now"),
                         ["see", "or", "now"])
        self.assertEqual(T.eval_tokens("mail bob@example.com, then https://t.co."),
                         ["mail", "then"])

    def test_eval_splits_emoji_sequences(self):
        # EVAL's rule: every non-word code point is its own token.
        self.assertEqual(T.eval_tokens("ok 👍🏽"), ["ok", "👍", "🏽"])


class TrainTokenizerTest(unittest.TestCase):
    def test_matches_eval_rule_without_emoji(self):
        line = "Q. I'M TIRED of it -- isn't it odd? (yes) $9.99 well-known e-mail's"
        self.assertEqual(T.train_tokens(line, lowercase=False), T.eval_tokens(line))

    def test_apostrophe_normalized(self):
        self.assertEqual(T.train_tokens("Don’t stop", lowercase=True), ["don't", "stop"])
        self.assertEqual(T.train_tokens("Don’t", lowercase=False), ["Don't"])

    def test_lowercase_flag(self):
        self.assertEqual(T.train_tokens("The USA", lowercase=True), ["the", "usa"])
        self.assertEqual(T.train_tokens("The USA", lowercase=False), ["The", "USA"])

    def test_emoji_sequences_are_one_token(self):
        family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"
        thumbs = "\U0001F44D\U0001F3FD"
        heart = "\u2764\uFE0F"
        flag = "\U0001F1E9\U0001F1EA"
        keycap = "1\uFE0F\u20E3"
        text = f"hi{family} {thumbs}{heart} {flag}{flag} {keycap} 12 :)"
        self.assertEqual(T.train_tokens(text, lowercase=False),
                         ["hi", family, thumbs, heart, flag, flag, keycap, "12", ":", ")"])

    def test_tokenizer_encode(self):
        tok = T.Tokenizer(["<unk>", "<s>", "</s>", "the", "don't", "."])
        self.assertEqual(tok.encode_line("The cat don’t."), [1, 3, 0, 4, 5, 2])
        self.assertEqual(tok.encode_line("the", add_bos=False, add_eos=False), [3])
        self.assertEqual(tok.decode([3, 4]), ["the", "don't"])

    def test_bad_vocab_rejected(self):
        with self.assertRaises(ValueError):
            T.Tokenizer(["the", "<unk>", "<s>", "</s>"])
        with self.assertRaises(ValueError):
            T.Tokenizer(["<unk>", "<s>", "</s>", "a", "a"])


class VocabTest(unittest.TestCase):
    LINES = ["b a c a", "A b!", "c c d", "e", "The the THE the"]

    def test_counts_and_order(self):
        counts, surface = T.count_tokens(self.LINES, lowercase=True)
        self.assertEqual(counts["the"], 4)
        self.assertEqual(counts["a"], 3)
        self.assertEqual(surface["the"]["the"], 2)
        vocab = T.build_vocab(counts, 6)
        # the: 4; a and c: 3 each, the tie broken by code point order.
        self.assertEqual(vocab, ["<unk>", "<s>", "</s>", "the", "a", "c"])

    def test_deterministic_regardless_of_input_order(self):
        c1, _ = T.count_tokens(self.LINES)
        c2, _ = T.count_tokens(list(reversed(self.LINES)))
        self.assertEqual(T.build_vocab(c1, 8), T.build_vocab(c2, 8))
        self.assertEqual(T.sorted_counts(c1), T.sorted_counts(c2))

    def test_vocab_size_too_small(self):
        with self.assertRaises(ValueError):
            T.build_vocab({"a": 1}, 3)

    def test_cli_build_outputs_and_determinism(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "train.txt")
            with open(src, "w", encoding="utf-8") as f:
                f.write("\n".join(self.LINES + ["Don’t go", "I don't know. I said"]) + "\n")
            outs = []
            for k in range(2):
                out = os.path.join(d, f"v{k}")
                with contextlib.redirect_stdout(io.StringIO()):
                    T.main(["build", "--train", src, "--out", out, "--vocab-size", "8"])
                files = {}
                for name in ("vocab.txt", "tokenizer.json", "wordlist.tsv", "surface.tsv"):
                    with open(os.path.join(out, name), "rb") as f:
                        files[name] = f.read()
                outs.append(files)
            self.assertEqual(outs[0], outs[1])
            vocab = outs[0]["vocab.txt"].decode("utf-8").split("\n")
            self.assertEqual(vocab[:3], ["<unk>", "<s>", "</s>"])
            self.assertEqual(len(vocab), 9)          # 8 tokens + final newline
            self.assertEqual(vocab[3], "the")
            settings = json.loads(outs[0]["tokenizer.json"])
            self.assertTrue(settings["lowercase"])
            self.assertEqual(settings["special_tokens"], {"<unk>": 0, "<s>": 1, "</s>": 2})
            self.assertEqual(settings["token_regex"], T.TRAIN_TOKEN_PATTERN)
            rows = [l.split("\t") for l in outs[0]["wordlist.tsv"].decode().splitlines()]
            counts = [int(c) for _, c in rows]
            self.assertEqual(counts, sorted(counts, reverse=True))
            self.assertIn(["don't", "2"], rows)
            surface = dict(l.split("\t") for l in outs[0]["surface.tsv"].decode().splitlines())
            self.assertEqual(surface["i"], "I")
            tok = T.Tokenizer.load(os.path.join(d, "v0", "vocab.txt"))
            self.assertEqual(len(tok), 8)
            self.assertTrue(tok.lowercase)

    def test_cli_missing_file(self):
        with self.assertRaises(SystemExit) as cm:
            T.main(["build", "--train", "/nonexistent/x.txt", "--out", "/tmp/never"])
        self.assertIn("not found", str(cm.exception.code))


if __name__ == "__main__":
    unittest.main()
