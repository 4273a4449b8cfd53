"""Tests of the peer-comparison helpers (no network; Hunspell cases skip when
hunspell is not installed).

  /usr/bin/python3 -m unittest discover -s bench/peers/tests -v
"""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PEERS))
sys.path.insert(0, PEERS)

import hunspell_peer  # noqa: E402
import report  # noqa: E402
import taps  # noqa: E402

TEST_FILE = os.path.join(REPO, "data", "test-public.tok")
GOLDEN = os.path.join(PEERS, "taps_golden.tsv")


class SplitMix64Test(unittest.TestCase):
    def test_reference_vectors(self):
        # Published splitmix64 outputs for seed 1234567 (Vigna's reference C).
        r = taps.SplitMix64(1234567)
        self.assertEqual([r.next() for _ in range(3)],
                         [6457827717110365317, 3203168211198807973, 9817491932198370423])
        self.assertEqual(taps.SplitMix64(0).next(), 0xE220A8397B1DCDAF)

    def test_state_wraps_at_64_bits(self):
        r = taps.SplitMix64(2 ** 64 - 1)
        v = r.next()
        self.assertTrue(0 <= v < 2 ** 64)
        self.assertEqual(r.state, (2 ** 64 - 1 + 0x9E3779B97F4A7C15) % 2 ** 64)

    def test_uniform_range_and_resolution(self):
        r = taps.SplitMix64(7)
        for _ in range(1000):
            u = r.uniform()
            self.assertTrue(0.0 <= u < 1.0)
            self.assertEqual(u, math.ldexp(math.floor(math.ldexp(u, 53)), -53))

    def test_bad_seed(self):
        with self.assertRaises(ValueError):
            taps.SplitMix64(-1)
        with self.assertRaises(ValueError):
            taps.SplitMix64(2 ** 64)


class KeyboardTest(unittest.TestCase):
    def test_centres(self):
        self.assertEqual(taps.KEY_CENTRES["q"], (0.5, 0.5))
        self.assertEqual(taps.KEY_CENTRES["p"], (9.5, 0.5))
        self.assertEqual(taps.KEY_CENTRES["a"], (1.0, 1.5))
        self.assertEqual(taps.KEY_CENTRES["l"], (9.0, 1.5))
        self.assertEqual(taps.KEY_CENTRES["z"], (2.0, 2.5))
        self.assertEqual(taps.KEY_CENTRES["m"], (8.0, 2.5))
        self.assertEqual(len(taps.KEY_CENTRES), 26)

    def test_nearest_key_at_each_centre(self):
        for c, (x, y) in taps.KEY_CENTRES.items():
            self.assertEqual(taps.nearest_key(x, y), c)

    def test_ties_go_to_the_earlier_key(self):
        self.assertEqual(taps.nearest_key(1.0, 0.5), "q")     # q | w
        self.assertEqual(taps.nearest_key(0.75, 1.0), "q")    # q | a, equal distances
        self.assertEqual(taps.nearest_key(1.5, 2.0), "a")     # a | z (0.25 + 0.25 each)
        self.assertEqual(taps.nearest_key(-5.0, 0.5), "q")
        self.assertEqual(taps.nearest_key(50.0, 50.0), "m")

    def test_typo_words(self):
        lines = ["Hello , don't A x2 café OK\n", "zz  e-mail WORLD\n"]
        self.assertEqual(list(taps.typo_words(lines)), ["Hello", "OK", "zz", "WORLD"])


class SimulationTest(unittest.TestCase):
    def test_zero_noise_is_exact(self):
        for word, literal, touches in taps.simulate(["Hello", "world"], seed=3, sigma=0.0):
            self.assertEqual(literal, word.lower())
            self.assertEqual(touches, [taps.KEY_CENTRES[c] for c in word.lower()])

    def test_one_stream_for_the_whole_file(self):
        # The second word's touches continue the stream: two uniforms per letter.
        a = list(taps.simulate(["ab", "cd"], seed=5))
        b = list(taps.simulate(["abcd"], seed=5))
        self.assertEqual(a[0][2] + a[1][2], b[0][2])

    def test_box_muller_by_hand(self):
        r = taps.SplitMix64(1)
        u1 = 1.0 - r.uniform()
        u2 = r.uniform()
        rad = math.sqrt(-2.0 * math.log(u1))
        want = (0.5 + 0.25 * (rad * math.cos(6.283185307179586 * u2)),
                0.5 + 0.25 * (rad * math.sin(6.283185307179586 * u2)))
        (_, _, touches), = taps.simulate(["q"], seed=1)
        self.assertEqual(touches[0], want)

    def test_literal_error_rate_on_the_public_file(self):
        sims = taps.simulate_file(TEST_FILE)
        wrong = sum(lit != w.lower() for w, lit, _ in sims)
        # shared/EVAL.md: sigma 0.25 gives about 28% literal word errors (27.7%).
        self.assertEqual(len(sims), 3963)
        self.assertAlmostEqual(wrong / len(sims), 0.277, delta=0.01)

    def test_golden_file_is_current(self):
        with open(GOLDEN, encoding="utf-8") as f:
            golden = f.read().split("\n")[:-1]
        self.assertEqual(golden, taps.golden_lines(TEST_FILE, 200))
        self.assertEqual(len(golden), 201)
        self.assertEqual(golden[0], taps.GOLDEN_HEADER)
        for line in golden[1:]:
            word, literal, x, y = line.split("\t")
            self.assertEqual(len(word), len(literal))
            float(x), float(y)

    def test_cli(self):
        res = subprocess.run([sys.executable, os.path.join(PEERS, "taps.py"), TEST_FILE],
                             capture_output=True, text=True, check=True)
        lines = res.stdout.split("\n")[:-1]
        self.assertEqual(len(lines), 3963)
        self.assertEqual(lines[0].split("\t")[0], "YOUR")
        bad = subprocess.run([sys.executable, os.path.join(PEERS, "taps.py"), "/nonexistent"],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("error", bad.stderr)


class HunspellParseTest(unittest.TestCase):
    BANNER = "@(#) International Ispell Version 3.2.06 (but really Hunspell 1.7.1)\n"

    def test_parse(self):
        out = (self.BANNER + "& yiue 2 1: yipe, Niue\n\n*\n\n+ walk\n\n# xqzvw 1\n\n"
               "& teh 3 1: the, eh, t eh\n\n")
        res = hunspell_peer.parse_pipe_output(out, 5)
        self.assertEqual(res, [(False, ["yipe", "Niue"]), (True, []), (True, []), (False, []),
                               (False, ["the", "eh", "t eh"])])

    def test_out_of_step_output_is_an_error(self):
        with self.assertRaises(hunspell_peer.HunspellError):
            hunspell_peer.parse_pipe_output(self.BANNER + "*\n\n", 2)
        with self.assertRaises(hunspell_peer.HunspellError):
            hunspell_peer.parse_pipe_output("garbage\n", 1)
        with self.assertRaises(hunspell_peer.HunspellError):
            hunspell_peer.parse_pipe_output(self.BANNER + "*\n*\n\n", 1)
        with self.assertRaises(hunspell_peer.HunspellError):
            hunspell_peer.parse_pipe_output(self.BANNER + "! what\n\n", 1)

    def test_score(self):
        pairs = [("The", "teh"), ("cat", "cat"), ("dog", "dpg"), ("sun", "sin"), ("xy", "xu")]
        results = [(False, ["the", "eh"]), (True, []), (False, ["dig", "dpi", "dog", "dug"]),
                   (True, []), (False, [])]
        s = hunspell_peer.score(pairs, results)
        self.assertEqual(s["words"], 5)
        self.assertEqual(s["accepted"], 2)
        self.assertAlmostEqual(s["literal_acc"], 1 / 5)
        self.assertAlmostEqual(s["top1"], 2 / 5)     # The, cat
        self.assertAlmostEqual(s["top3"], 3 / 5)     # + dog at rank 3
        self.assertAlmostEqual(s["wer"], 3 / 5)
        self.assertAlmostEqual(s["wer_literal"], 4 / 5)

    @unittest.skipUnless(shutil.which("hunspell") and os.path.exists("/usr/share/hunspell/en_US.dic"),
                         "hunspell with en_US not installed")
    def test_real_hunspell(self):
        results, _, _, banner = hunspell_peer.run_hunspell(["teh", "house", "qzxqzx"])
        self.assertIn("Hunspell", banner)
        self.assertFalse(results[0][0])
        self.assertIn("the", results[0][1][:3])
        self.assertTrue(results[1][0])
        self.assertFalse(results[2][0])


class ReportTest(unittest.TestCase):
    def test_formats(self):
        self.assertEqual(report.fmt_us(336.7), "337 µs")
        self.assertEqual(report.fmt_us(71.94), "71.9 µs")
        self.assertEqual(report.fmt_us(14797.0), "14.80 ms")
        self.assertEqual(report.fmt_bytes(8343552), "8.0 MiB")
        self.assertEqual(report.with_ratio("337 µs", 337.0, 72.0), "337 µs (4.7×)")
        self.assertEqual(report.with_ratio("90 KiB", 90.0, 5400.0), "90 KiB (0.017×)")
        self.assertEqual(report.with_ratio("x", 1.0, None), "x")
        self.assertEqual(report.with_delta("45.8%", 45.8, 40.0), "45.8% (+5.8)")

    def test_simulator_output(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "sim.txt")
            with open(p, "w") as f:
                f.write("\n====\nki : 100\nks : 21\nkn : 250\n\nKSR: 51.6\n")
            self.assertEqual(report.parse_simulator(p),
                             {"ki": 100, "ks": 21, "kn": 250, "ksr_percent": 51.6})
            with open(p, "w") as f:
                f.write("nothing\n")
            self.assertIn("error", report.parse_simulator(p))

    def test_report_without_results_marks_failures(self):
        # An empty raw/ folder: every peer is reported failed, nothing invented.
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "raw"))
            rc = report.main(["--out", d, "--runs", "10", "--checkpoint", TEST_FILE, "--onnx", TEST_FILE,
                              "--train-text", TEST_FILE, "--test-file", TEST_FILE,
                              "--presage-db", os.path.join(d, "none.db"), "--presage-config", "x",
                              "--npm-dir", d, "--elapsed", "1", "--command", "run_peers.sh"])
            self.assertEqual(rc, 0)
            with open(os.path.join(d, "peers.json"), encoding="utf-8") as f:
                doc = json.load(f)
            rows = doc["table"]["rows"]
            self.assertEqual([r["engine"] for r in rows],
                             ["PyTorch float32", "PyTorch dynamic int8", "ONNX Runtime (Node)", "Presage",
                              "Hunspell"])
            for r in rows:
                self.assertTrue(r["error"], r["engine"])
                self.assertIsNone(r["step_us_p50"])
                self.assertTrue(r["cells"][1].startswith("failed"))
            with open(os.path.join(d, "peers.md"), encoding="utf-8") as f:
                self.assertIn("No hunch figures", f.read())

    def test_ratios_against_hunch(self):
        with tempfile.TemporaryDirectory() as d:
            raw = os.path.join(d, "raw")
            os.makedirs(raw)

            def put(name, obj):
                with open(os.path.join(raw, name), "w") as f:
                    json.dump(obj, f)
            # hunch eval reports percentages; the peers' scripts fractions.
            put("hunch-eval.json", {"words": 5010, "top1": 12.0, "top3": 20.0, "ksr": 40.0, "wer": 10.0,
                                    "wer_literal": 27.6, "typo_top3": 90.0,
                                    "latency_us": {"p50": 500.0, "p95": 900.0, "p99": 1000.0, "max": 2000.0}})
            put("hunch-bench.json", {"init_us": 100.0, "step_us": {"p50": 70.0, "p99": 90.0},
                                     "peak_rss_bytes": 2 << 20, "model_bytes": 1 << 20,
                                     "library_bytes": 1 << 18})
            put("torch-float32.json", {"step_us": {"p50": 350.0, "p99": 900.0}, "peak_rss_bytes": 300 << 20,
                                       "libraries": {"torch_bytes": 128 << 20}})
            put("presage-nextword.json", {"tokens": 5010, "top1": 0.096, "top3": 0.157,
                                          "predict_ms": {"p50": 7.5}, "peak_rss_bytes": 8 << 20})
            with open(os.path.join(raw, "presage-ksr.txt"), "w") as f:
                f.write("ki : 1\nks : 1\nkn : 10\nKSR: 45.5\n")
            put("hunspell.json", {"words": 100, "wer": 0.16, "wer_literal": 0.276, "top3": 0.87,
                                  "wall_s": 1.0})
            report.main(["--out", d, "--runs", "10", "--checkpoint", TEST_FILE, "--onnx", TEST_FILE,
                         "--train-text", TEST_FILE, "--test-file", TEST_FILE,
                         "--presage-db", os.path.join(d, "none.db"), "--presage-config", "x",
                         "--npm-dir", d, "--elapsed", "1", "--command", "run_peers.sh",
                         "--hunch-bin", "/bin/true", "--hunch-model", TEST_FILE])
            with open(os.path.join(d, "peers.json"), encoding="utf-8") as f:
                rows = {r["engine"]: r for r in json.load(f)["table"]["rows"]}
            self.assertEqual(rows["hunch"]["cells"][1], "40.0%")
            self.assertEqual(rows["hunch"]["cells"][6], "70.0 µs")
            self.assertEqual(rows["PyTorch float32"]["cells"][6], "350 µs (5.0×)")
            self.assertEqual(rows["PyTorch float32"]["cells"][9], "300.0 MiB (150×)")
            self.assertEqual(rows["Presage"]["cells"][1], "45.5% (+5.5)")
            self.assertEqual(rows["Presage"]["cells"][2], "9.6% (-2.4)")
            self.assertEqual(rows["Presage"]["cells"][8], "7.50 ms (15.0×)")
            self.assertEqual(rows["Hunspell"]["cells"][4], "16.0% (+6.0), literal 27.6%")
            self.assertEqual(rows["Hunspell"]["cells"][5], "87.0% (-3.0)")
            self.assertIsNone(rows["hunch"]["error"])


FIXTURES = os.path.join(HERE, "fixtures", "ksr-rules")
sys.path.insert(0, os.path.join(REPO, "train"))
import model_card  # noqa: E402


def run_report(d, hunch=True):
    args = ["--out", d, "--runs", "10", "--checkpoint", TEST_FILE, "--onnx", TEST_FILE,
            "--train-text", TEST_FILE, "--test-file", TEST_FILE,
            "--presage-db", os.path.join(d, "none.db"), "--presage-config", "x.xml",
            "--presage-config-repeat", "x-repeat.xml", "--npm-dir", d, "--elapsed", "1",
            "--command", "run_peers.sh"]
    if hunch:
        args += ["--hunch-bin", "/bin/true", "--hunch-model", TEST_FILE]
    report.main(args)
    with open(os.path.join(d, "peers.json"), encoding="utf-8") as f:
        doc = json.load(f)
    with open(os.path.join(d, "peers.md"), encoding="utf-8") as f:
        return doc, f.read()


class KsrRulesTest(unittest.TestCase):
    """KSR@3 under both repeat rules: Presage REPEAT_SUGGESTIONS no / yes,
    hunch default / --set skip_passed_over=0 (fixtures: a --small run's raw/)."""

    def raw_dir(self, d, names=("presage-ksr.txt", "presage-ksr-repeat.txt", "hunch-eval.json",
                                "hunch-eval-repeat.json", "hunch-bench.json", "presage-nextword.json")):
        raw = os.path.join(d, "raw")
        os.makedirs(raw)
        for n in names:
            shutil.copy(os.path.join(FIXTURES, n), raw)
        return raw

    def test_simulator_fixtures(self):
        self.assertEqual(report.parse_simulator(os.path.join(FIXTURES, "presage-ksr.txt")),
                         {"ki": 941, "ks": 31, "kn": 1353, "ksr_percent": 28.1596})
        self.assertEqual(report.parse_simulator(os.path.join(FIXTURES, "presage-ksr-repeat.txt")),
                         {"ki": 957, "ks": 31, "kn": 1353, "ksr_percent": 26.9771})

    def test_both_rules_in_json_and_markdown(self):
        with tempfile.TemporaryDirectory() as d:
            self.raw_dir(d)
            doc, md = run_report(d)
        pr, h = doc["peers"]["presage"], doc["peers"]["hunch"]
        # The keys of earlier reports are still there, with the default rule's figures.
        self.assertEqual(pr["ksr"]["ksr_percent"], 28.1596)
        self.assertEqual(pr["ksr"]["repeat_suggestions"], "no")
        self.assertEqual(pr["ksr_repeat"]["ksr_percent"], 26.9771)
        self.assertEqual(pr["ksr_repeat"]["repeat_suggestions"], "yes")
        self.assertEqual(pr["config_repeat"], "x-repeat.xml")
        self.assertAlmostEqual(h["eval"]["ksr"], 43.0122, places=3)
        self.assertAlmostEqual(h["eval_repeat"]["ksr"], 42.2659, places=3)
        rows = {r["engine"]: r for r in doc["table"]["rows"]}
        self.assertEqual(rows["Presage"]["ksr"], 28.1596)
        self.assertEqual(rows["Presage"]["ksr_repeat"], 26.9771)
        self.assertAlmostEqual(rows["hunch"]["ksr_repeat"], 42.2659, places=3)
        self.assertEqual(rows["hunch"]["cells"][1], "43.0%")
        self.assertEqual(rows["Presage"]["cells"][1], "28.2% (-14.9)")
        self.assertEqual(len(doc["table"]["header"]), len(rows["hunch"]["cells"]))

        rules = doc["ksr_rules"]
        self.assertEqual([r["pair"] for r in rules], ["no repeats", "repeats"])
        no, yes = rules
        self.assertEqual((no["hunch"]["setting"], no["presage"]["setting"]),
                         ("skip_passed_over=1 (default)", "REPEAT_SUGGESTIONS no (default)"))
        self.assertEqual((yes["hunch"]["setting"], yes["presage"]["setting"]),
                         ("skip_passed_over=0", "REPEAT_SUGGESTIONS yes"))
        self.assertIn("likeliest completion", no["hunch"]["rule"])
        self.assertAlmostEqual(no["hunch"]["ksr"], 43.0122, places=3)
        self.assertEqual(no["presage"]["ksr"], 28.1596)
        self.assertAlmostEqual(yes["hunch"]["ksr"], 42.2659, places=3)
        self.assertEqual(yes["presage"]["ksr"], 26.9771)
        for r in rules:
            self.assertIsNone(r["hunch"]["error"])
            self.assertIsNone(r["presage"]["error"])

        lines = md.split("\n")
        head = lines.index("| " + " | ".join(report.RULES_HEADER) + " |")
        no_md, yes_md = lines[head + 2], lines[head + 3]
        self.assertTrue(no_md.startswith("| no repeats | default (`skip_passed_over` on): "), no_md)
        self.assertIn("which always stays | 43.0% | `REPEAT_SUGGESTIONS no` (Presage's default)", no_md)
        self.assertTrue(no_md.endswith(" | 28.2% (-14.9) |"), no_md)
        self.assertTrue(yes_md.startswith("| repeats | `--set skip_passed_over=0`: "), yes_md)
        self.assertIn(" | 42.3% | `REPEAT_SUGGESTIONS yes`: ", yes_md)
        self.assertTrue(yes_md.endswith(" | 27.0% (-15.3) |"), yes_md)
        self.assertIn("hunch keeps its likeliest completion", md)

    def test_missing_repeat_runs(self):
        # A failed REPEAT_SUGGESTIONS yes run and a binary without --set: the
        # default pair is reported, the other marked, nothing made up.
        with tempfile.TemporaryDirectory() as d:
            raw = self.raw_dir(d, ("presage-ksr.txt", "presage-nextword.json", "hunch-eval.json",
                                  "hunch-bench.json"))
            with open(os.path.join(raw, "hunch-eval-repeat.unavailable"), "w") as f:
                f.write("no 'hunch eval --set skip_passed_over=0' in /bin/true\n")
            doc, md = run_report(d)
        no, yes = doc["ksr_rules"]
        self.assertEqual(no["presage"]["ksr"], 28.1596)
        self.assertIsNone(yes["hunch"]["ksr"])
        self.assertTrue(yes["hunch"]["error"].startswith("not measured: no 'hunch eval --set"))
        self.assertIsNone(yes["presage"]["ksr"])
        self.assertEqual(yes["presage"]["error"], "no presage_simulator output")
        rows = {r["engine"]: r for r in doc["table"]["rows"]}
        self.assertIsNone(rows["hunch"]["error"])       # the default eval ran
        self.assertEqual(rows["hunch"]["cells"][1], "43.0%")
        self.assertIsNone(rows["Presage"]["ksr_repeat"])
        self.assertEqual(rows["Presage"]["cells"][1], "28.2% (-14.9)")
        self.assertIn(" | not measured: no 'hunch eval --set skip_passed_over=0' in /bin/true | ", md)
        self.assertIn(" | failed: no presage_simulator output |", md)
        self.assertEqual(doc["hunch_note"], report.NO_HUNCH)   # eval and bench are not "missing"

    def test_without_hunch(self):
        with tempfile.TemporaryDirectory() as d:
            self.raw_dir(d, ("presage-ksr.txt", "presage-ksr-repeat.txt"))
            doc, md = run_report(d, hunch=False)
        for r in doc["ksr_rules"]:
            self.assertEqual(r["hunch"]["error"], report.NO_HUNCH)
        self.assertIn(f" | {report.NO_HUNCH} | ", md)
        self.assertIn(" | 27.0% |", md)   # no delta without hunch

    def test_model_card_reads_peers_json(self):
        with tempfile.TemporaryDirectory() as d:
            self.raw_dir(d)
            doc, _ = run_report(d)
        with open(os.path.join(FIXTURES, "hunch-eval.json"), encoding="utf-8") as f:
            ev = json.load(f)
        fig = model_card.peer_figures(doc)
        self.assertEqual(fig["presage"]["ksr"], 28.1596)
        self.assertEqual(fig["presage"]["ksr_repeat"], 26.9771)
        self.assertAlmostEqual(fig["hunch"]["ksr_repeat"], 42.2659, places=3)
        lines = model_card.quality_section(ev, ev, doc)
        no = [l for l in lines if l.startswith("| KSR, 3 suggestions, passed-over words not shown again")]
        yes = [l for l in lines if l.startswith("| KSR, 3 suggestions, every suggestion repeated")]
        self.assertEqual(len(no), 1)
        self.assertEqual(len(yes), 1)
        self.assertIn("REPEAT_SUGGESTIONS no) | 43.0% | 43.0% | 28.2% |", no[0])
        self.assertIn("REPEAT_SUGGESTIONS yes) | 42.3% |  | 27.0% |", yes[0])
        # Without peers the card's KSR row is as before.
        plain = model_card.quality_section(ev, ev, None)
        self.assertIn("| KSR, 3 suggestions | 43.0% | 43.0% |", plain)


if __name__ == "__main__":
    unittest.main()
