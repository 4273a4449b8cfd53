// The C++ tokenizer against train/tokenizer.py: golden data written by
// src/text/testdata/make_golden.py (hand-written tricky lines, ill-formed
// UTF-8, 295 lines of valid.txt, all of data/test-public.tok, and digests of
// \w, \s and lower() over every code point).
#include "text/tokenizer.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "gtest/gtest.h"
#include "hunch/model.h"
#include "text/unicode_tables.h"
#include "text/utf8.h"
#include "util/json.h"

namespace hunch {
namespace text {
namespace {

std::string SourceDir() {
  const std::string here = __FILE__;
  return here.substr(0, here.find_last_of('/') + 1);
}
std::string RepoRoot() { return SourceDir() + "../../"; }

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::string text = ReadFile(path), line;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void Bytes(const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<const uint8_t*>(p)[i];
      h *= 0x100000001b3ull;
    }
  }
  void U32(uint32_t v) {
    const uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    Bytes(b, 4);
  }
  void U8(uint8_t v) { Bytes(&v, 1); }
  std::string Hex() const {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

int Kind(const Piece& p) { return p.emoji ? 2 : p.word ? 1 : 0; }

// Matches line_digest() in make_golden.py.
std::string LineDigest(const Tokenizer& tok, const std::string& line, std::string* debug) {
  std::vector<Piece> pieces;
  Split(line, &pieces);
  std::vector<int32_t> ids;
  tok.Encode(line, &ids);
  EXPECT_EQ(ids.size(), pieces.size());
  Fnv f;
  for (size_t i = 0; i < pieces.size() && i < ids.size(); ++i) {
    const Piece& p = pieces[i];
    const std::string t = tok.Normalize(std::string_view(line).substr(p.begin, p.end - p.begin));
    f.U32(p.begin);
    f.U32(p.end);
    f.U8(static_cast<uint8_t>(Kind(p)));
    f.Bytes(t.data(), t.size());
    f.U8(0xFF);
    f.U32(static_cast<uint32_t>(ids[i]));
    *debug += "[" + std::to_string(p.begin) + "," + std::to_string(p.end) + "," + std::to_string(Kind(p)) + " " + t +
              " " + std::to_string(ids[i]) + "] ";
  }
  return f.Hex();
}

class TokenizerGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = SourceDir() + "testdata/";
    Status s = json::Parse(ReadFile(dir + "golden.json"), &golden_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    s = Tokenizer::Create(ReadFile(dir + "vocab2000.txt"), ReadFile(dir + "tokenizer.json"), &tok_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  json::Value golden_;
  Tokenizer tok_;
};

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

TEST_F(TokenizerGoldenTest, HandWrittenCasesMatchPython) {
  const json::Value* cases = golden_.Find("cases");
  ASSERT_TRUE(cases && cases->size() >= 50);
  static const char* const kKinds[] = {"p", "w", "e"};
  for (size_t i = 0; i < cases->size(); ++i) {
    const json::Value& c = (*cases)[i];
    const std::string name = c.Find("name")->str();
    const std::string text = c.Find("text") ? c.Find("text")->str() : FromHex(c.Find("hex")->str());
    std::vector<Piece> pieces;
    Split(text, &pieces);
    std::vector<int32_t> ids;
    tok_.Encode(text, &ids);
    const json::Value& want_pieces = *c.Find("pieces");
    const json::Value& want_tokens = *c.Find("tokens");
    const json::Value& want_ids = *c.Find("ids");
    ASSERT_EQ(pieces.size(), want_pieces.size()) << name;
    ASSERT_EQ(ids.size(), want_ids.size()) << name;
    for (size_t k = 0; k < pieces.size(); ++k) {
      const Piece& p = pieces[k];
      EXPECT_EQ(p.begin, want_pieces[k][0].number()) << name << " piece " << k;
      EXPECT_EQ(p.end, want_pieces[k][1].number()) << name << " piece " << k;
      EXPECT_EQ(kKinds[Kind(p)], want_pieces[k][2].str()) << name << " piece " << k;
      EXPECT_EQ(tok_.Normalize(std::string_view(text).substr(p.begin, p.end - p.begin)), want_tokens[k].str())
          << name << " piece " << k;
      EXPECT_EQ(ids[k], want_ids[k].number()) << name << " piece " << k;
    }
  }
}

TEST_F(TokenizerGoldenTest, CorpusLinesMatchPython) {
  const json::Value* corpus = golden_.Find("corpus");
  ASSERT_TRUE(corpus && corpus->size() == 2);
  size_t total = 0;
  for (size_t f = 0; f < corpus->size(); ++f) {
    const json::Value& part = (*corpus)[f];
    const std::vector<std::string> lines = ReadLines(RepoRoot() + part.Find("file")->str());
    const json::Value& digests = *part.Find("digests");
    ASSERT_EQ(lines.size(), digests.size()) << part.Find("file")->str();
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string debug;
      EXPECT_EQ(LineDigest(tok_, lines[i], &debug), digests[i].str())
          << part.Find("file")->str() << " line " << i + 1 << ": " << lines[i] << "\nC++: " << debug;
    }
    total += lines.size();
  }
  EXPECT_GE(total, 400u);
}

// Exhaustive: \w, \s, lower() and the final-sigma classes of every code point
// equal Python's (digests computed by make_golden.py straight from Python).
TEST_F(TokenizerGoldenTest, UnicodePropertiesMatchPythonForEveryCodePoint) {
  const json::Value* d = golden_.Find("unicode_digests");
  ASSERT_TRUE(d);
  EXPECT_EQ(golden_.Find("unicode_version")->str(), UnicodeVersion());
  Fnv word, space, lower, sigma;
  std::string low, a, b, c;
  for (char32_t cp = 0; cp <= kMaxCodePoint; ++cp) {
    if (IsWordChar(cp)) word.U32(cp);
    if (IsSpace(cp)) space.U32(cp);
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string ch;
    AppendUtf8(cp, &ch);
    low.clear();
    AppendLower(cp, &low);
    if (low != ch) {
      lower.U32(cp);
      lower.Bytes(low.data(), low.size());
      lower.U8(0xFF);
    }
    if (cp == 0x03A3) continue;
    const std::string kSigma = "\xCE\xA3", kFinal = "\xCF\x82";
    a = Lower(ch + kSigma);
    b = Lower("A" + ch + kSigma);
    c = Lower("A" + kSigma + ch);
    const bool p1 = a.compare(a.size() - 2, 2, kFinal) == 0;
    const bool p2 = b.compare(b.size() - 2, 2, kFinal) == 0;
    const bool p3 = c.compare(1, 2, kFinal) == 0;
    sigma.U32(cp);
    sigma.U8(static_cast<uint8_t>(p1 | (p2 << 1) | (p3 << 2)));
  }
  EXPECT_EQ(word.Hex(), d->Find("word")->str());
  EXPECT_EQ(space.Hex(), d->Find("space")->str());
  EXPECT_EQ(lower.Hex(), d->Find("lower")->str());
  EXPECT_EQ(sigma.Hex(), d->Find("sigma")->str());
}

TEST(UnicodeTest, Examples) {
  EXPECT_TRUE(IsWordChar('a'));
  EXPECT_TRUE(IsWordChar('_'));
  EXPECT_TRUE(IsWordChar(0x00E9));   // é
  EXPECT_TRUE(IsWordChar(0x00B2));   // ² (a digit to Python)
  EXPECT_TRUE(IsWordChar(0x4E2D));   // 中
  EXPECT_FALSE(IsWordChar(0x0301));  // combining acute: not \w
  EXPECT_FALSE(IsWordChar('\''));
  EXPECT_FALSE(IsWordChar(0x1F600));
  EXPECT_TRUE(IsSpace(0x00A0));
  EXPECT_TRUE(IsSpace(0x3000));
  EXPECT_TRUE(IsSpace(0x1C));
  EXPECT_FALSE(IsSpace(0x200B));  // zero-width space is not \s
  EXPECT_EQ(Lower("H\xC3\x89LLO W\xC3\x96RLD"), "h\xC3\xA9llo w\xC3\xB6rld");
  EXPECT_EQ(Lower("\xC4\xB0stanbul"), "i\xCC\x87stanbul");  // İ -> i + U+0307
  EXPECT_EQ(Lower("STRA\xC3\x9F"
                  "E \xE1\xBA\x9E"),
            "stra\xC3\x9F"
            "e \xC3\x9F");                                                                   // ß stays, ẞ -> ß
  EXPECT_EQ(Lower("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"), "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82");  // ΟΔΟΣ -> οδος
  EXPECT_EQ(Lower("\xCE\xA3"), "\xCF\x83");                                                  // a lone Σ -> σ
  EXPECT_EQ(Lower("\xCE\xA3\xCE\x91\xCE\xA3 \xCE\xA3"), "\xCF\x83\xCE\xB1\xCF\x82 \xCF\x83");
  EXPECT_EQ(Lower("AB\xFF"
                  "C"),
            "ab\xEF\xBF\xBD"
            "c");  // ill-formed -> U+FFFD
  EXPECT_STREQ(UnicodeVersion(), "14.0.0");
}

TEST(UnicodeTest, FinalSigmaIsLinear) {
  // Many sigmas separated by case-ignorable apostrophes: each one looks a
  // bounded distance back and forward.
  std::string s = "A";
  for (int i = 0; i < 200000; ++i) s += "\xCE\xA3'";
  const std::string low = Lower(s);
  EXPECT_EQ(low.substr(0, 4), "a\xCF\x83'");
  EXPECT_EQ(low.substr(low.size() - 3), "\xCF\x82'");  // the last one is final
}

TEST(SplitTest, OffsetsFollowTheInputBytes) {
  // ’ is three bytes; the word still spans it.
  const std::string text = "Don\xE2\x80\x99t stop, ok?";
  std::vector<Piece> pieces;
  Split(text, &pieces);
  ASSERT_EQ(pieces.size(), 5u);
  EXPECT_EQ(text.substr(pieces[0].begin, pieces[0].end - pieces[0].begin), "Don\xE2\x80\x99t");
  EXPECT_TRUE(pieces[0].word);
  EXPECT_EQ(text.substr(pieces[2].begin, 1), ",");
  EXPECT_FALSE(pieces[2].word);
  EXPECT_FALSE(pieces[2].emoji);
  Split("", &pieces);
  EXPECT_TRUE(pieces.empty());
  Split(" \t\n", &pieces);
  EXPECT_TRUE(pieces.empty());
}

TEST(SplitTest, TruncatedInputNeverReadsPastTheEnd) {
  // Views ending inside emoji sequences, joiners and multi-byte code points.
  const std::string full =
      "a\xE2\x80\x99"
      "b \xF0\x9F\x91\x8D\xE2\x80\x8D\xF0\x9F\x91\x8D 1\xEF\xB8\x8F\xE2\x83\xA3";
  std::vector<Piece> pieces;
  for (size_t n = 0; n <= full.size(); ++n) {
    const std::string copy = full.substr(0, n);  // its own allocation: ASan sees any overread
    Split(copy, &pieces);
    for (const Piece& p : pieces) {
      EXPECT_LT(p.begin, p.end);
      EXPECT_LE(p.end, n);
    }
  }
}

// ---------------------------------------------------------------- Create ----

const char kSettings[] = R"({"version": 1, "lowercase": true, "vocab_size": 5, "token_regex": "REGEX",
  "unk_id": 0, "bos_id": 1, "eos_id": 2, "special_tokens": {"<unk>": 0, "<s>": 1, "</s>": 2},
  "normalize": {"\u2019": "'"}})";

std::string Settings(const std::string& replace_from = "", const std::string& replace_to = "") {
  // The real regex, JSON-escaped.
  std::string regex;
  for (const char* p = internal::kTrainTokenPattern; *p; ++p) {
    if (*p == '\\' || *p == '"') regex += '\\';
    regex += *p;
  }
  std::string s = kSettings;
  s.replace(s.find("REGEX"), 5, regex);
  if (!replace_from.empty()) {
    const size_t at = s.find(replace_from);
    EXPECT_NE(at, std::string::npos) << replace_from;
    if (at != std::string::npos) s.replace(at, replace_from.size(), replace_to);
  }
  return s;
}

const char kVocab[] = "<unk>\n<s>\n</s>\nthe\ndon't";

TEST(TokenizerTest, CreateAndLookup) {
  Tokenizer t;
  ASSERT_TRUE(Tokenizer::Create(kVocab, Settings(), &t).ok());
  EXPECT_EQ(t.size(), 5);
  EXPECT_TRUE(t.lowercase());
  EXPECT_EQ(t.Lookup("the"), 3);
  EXPECT_EQ(t.Lookup("The"), 0);  // Lookup takes normalized text
  EXPECT_EQ(t.Lookup(""), 0);
  EXPECT_EQ(t.Lookup("<s>"), 1);
  EXPECT_EQ(t.token(4), "don't");
  EXPECT_EQ(t.token(5), "");
  EXPECT_EQ(t.token(-1), "");
  EXPECT_EQ(t.Normalize("DON\xE2\x80\x99T"), "don't");
  std::vector<int32_t> ids = {99};
  t.Encode("The end. Don\xE2\x80\x99t!", &ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{3, 0, 0, 4, 0}));
  // A trailing newline is allowed (a vocab.txt file as written by tokenizer.py).
  ASSERT_TRUE(Tokenizer::Create(std::string(kVocab) + "\n", Settings(), &t).ok());
  EXPECT_EQ(t.size(), 5);
}

TEST(TokenizerTest, CasedVocabulary) {
  Tokenizer t;
  ASSERT_TRUE(
      Tokenizer::Create("<unk>\n<s>\n</s>\nThe\nthe", Settings("\"lowercase\": true", "\"lowercase\": false"), &t)
          .ok());
  EXPECT_FALSE(t.lowercase());
  EXPECT_EQ(t.Normalize("The\xE2\x80\x99"), "The'");
  std::vector<int32_t> ids;
  t.Encode("The the THE", &ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{3, 4, 0}));
}

TEST(TokenizerTest, LargeVocabularyLookups) {
  std::string vocab = "<unk>\n<s>\n</s>";
  for (int i = 3; i < 50000; ++i) vocab += "\nw" + std::to_string(i);
  Tokenizer t;
  ASSERT_TRUE(Tokenizer::Create(vocab, Settings("\"vocab_size\": 5", "\"vocab_size\": 50000"), &t).ok());
  for (int i = 3; i < 50000; ++i) ASSERT_EQ(t.Lookup("w" + std::to_string(i)), i);
  EXPECT_EQ(t.Lookup("w50000"), 0);
}

TEST(TokenizerTest, RejectsBadVocabularies) {
  struct Case {
    std::string vocab, message;
  } cases[] = {
      {"", "vocab: token 0 is empty"},
      {"<unk>\n<s>", "at least <unk>, <s>, </s>"},
      {"<s>\n<unk>\n</s>\na\nb", "token 0 must be <unk>, not '<s>'"},
      {"<unk>\n<s>\n</s>\na\na", "token 4 'a' repeats token 3"},
      {"<unk>\n<s>\n</s>\n\nb", "token 3 is empty"},
      {"<unk>\r\n<s>\r\n</s>\r\na\r\nb", "carriage return"},
      {"<unk>\n<s>\n</s>\na\n\xFF", "token 4 is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    Tokenizer t;
    Status s = Tokenizer::Create(c.vocab, Settings(), &t);
    EXPECT_FALSE(s.ok()) << c.vocab;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
    EXPECT_EQ(t.size(), 0);  // untouched
  }
}

TEST(TokenizerTest, RejectsBadSettings) {
  struct Case {
    std::string settings, message;
  } cases[] = {
      {"{", "tokenizer settings: json: line 1 col 2"},
      {"[]", "must be a JSON object"},
      {Settings("\"version\": 1", "\"version\": 2"), "unsupported version"},
      {Settings("\"version\": 1,", ""), "unsupported version"},
      {Settings("\"lowercase\": true", "\"lowercase\": 1"), "'lowercase' must be true or false"},
      {Settings("\"vocab_size\": 5", "\"vocab_size\": 6"), "vocab_size 6 does not match the vocabulary (5 tokens)"},
      {Settings("\"bos_id\": 1", "\"bos_id\": 3"), "bos_id must be 1"},
      {Settings("\"<s>\": 1", "\"<s>\": 2"), "special token <s> must have id 1"},
      {Settings("\"'\"}", "\"x\"}"), "normalize"},
      {Settings("\\\\w+(?:", "\\\\w*(?:"), "token_regex differs"},
  };
  for (const Case& c : cases) {
    Tokenizer t;
    Status s = Tokenizer::Create(kVocab, c.settings, &t);
    EXPECT_FALSE(s.ok()) << c.settings;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

TEST(TokenizerTest, FromModelMetadata) {
  auto open = [](const std::vector<uint8_t>& bytes, std::vector<uint8_t>* storage,
                 std::shared_ptr<const Model>* model) {
    // FromBuffer wants 64-byte alignment: place the bytes at an aligned offset.
    storage->assign(bytes.size() + 64, 0);
    uint8_t* p = storage->data();
    p += (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64;
    std::memcpy(p, bytes.data(), bytes.size());
    return Model::FromBuffer(p, bytes.size(), {}, model);
  };
  auto build = [](bool vocab, bool settings, const std::string& settings_text) {
    ModelBuilder b;
    b.AddSubgraph("main");
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    if (vocab) b.AddMetadata("vocab", std::string(kVocab));
    if (settings) b.AddMetadata("tokenizer", settings_text);
    return b.Finish();
  };
  std::vector<uint8_t> storage;
  std::shared_ptr<const Model> model;
  Tokenizer t;
  ASSERT_TRUE(open(build(true, true, Settings()), &storage, &model).ok());
  ASSERT_TRUE(Tokenizer::FromModel(*model, &t).ok());
  EXPECT_EQ(t.Lookup("don't"), 4);

  ASSERT_TRUE(open(build(false, true, Settings()), &storage, &model).ok());
  Status s = Tokenizer::FromModel(*model, &t);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no \"vocab\" metadata"), std::string::npos);

  ASSERT_TRUE(open(build(true, false, Settings()), &storage, &model).ok());
  s = Tokenizer::FromModel(*model, &t);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no \"tokenizer\" metadata"), std::string::npos);

  ASSERT_TRUE(open(build(true, true, "{}"), &storage, &model).ok());
  s = Tokenizer::FromModel(*model, &t);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("model metadata: tokenizer settings"), std::string::npos);
}

}  // namespace
}  // namespace text
}  // namespace hunch
