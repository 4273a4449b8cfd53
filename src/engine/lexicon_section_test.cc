// lexicon.bin and emoji.bin: the builder's sections against the parse the
// engine did before them (every field of every word of models/en.hunch), the
// engine on the sections against the engine on the text, and each check of
// docs/format.md on a corrupted section.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <set>
#include <unordered_map>
#include <vector>

#include "builder/model_rewriter.h"
#include "engine/emoji.h"
#include "engine/engine_impl.h"
#include "engine/lexicon.h"
#include "engine/model_sections.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "testing/test_paths.h"
#include "text/tokenizer.h"
#include "text/tsv.h"

namespace hunch {
namespace engine {
namespace {

// The lexicon as Lexicon::Build parsed it into heap records before the
// sections (the code of the parent commit, kept here as the reference).
struct RefWord {
  std::string key, display;
  uint64_t count = 0;
  int32_t vocab_id = -1;
  float log_tail = 0;
};
struct RefLexicon {
  std::vector<RefWord> words;
  std::vector<uint8_t> lcp_next;
  std::vector<int32_t> by_vocab, tail_by_count;
  uint64_t tail_total = 0;
};

RefLexicon RefBuild(const std::vector<std::string>& vocab, int first_word_id, std::string_view lexicon_tsv,
                    std::string_view surface_tsv, uint64_t min_count) {
  RefLexicon r;
  std::unordered_map<std::string, uint64_t> counts;
  std::unordered_map<std::string, std::string> surface;
  text::ForEachTsvRow(lexicon_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    unsigned long long n;
    if (f.size() != 2 || f[0].empty() || !text::ParseTsvCount(f[1], 19, &n)) return false;
    counts[std::string(f[0])] += n;
    return true;
  });
  text::ForEachTsvRow(surface_tsv, [&](size_t, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || f[0].empty() || f[1].empty()) return false;
    surface[std::string(f[0])] = std::string(f[1]);
    return true;
  });
  std::unordered_map<std::string, int32_t> vocab_ids;
  for (size_t id = static_cast<size_t>(std::max(first_word_id, 0)); id < vocab.size(); ++id)
    if (IsTypeableKey(vocab[id])) vocab_ids.emplace(vocab[id], static_cast<int32_t>(id));
  for (const auto& kv : vocab_ids) {
    RefWord w;
    w.key = kv.first;
    w.vocab_id = kv.second;
    auto c = counts.find(kv.first);
    w.count = c == counts.end() ? 0 : c->second;
    r.words.push_back(std::move(w));
  }
  for (const auto& kv : counts) {
    if (!IsTypeableKey(kv.first) || vocab_ids.count(kv.first) || kv.second < min_count) continue;
    RefWord w;
    w.key = kv.first;
    w.count = kv.second;
    r.words.push_back(std::move(w));
  }
  std::sort(r.words.begin(), r.words.end(), [](const RefWord& a, const RefWord& b) { return a.key < b.key; });
  r.by_vocab.assign(vocab.size(), -1);
  for (size_t i = 0; i < r.words.size(); ++i) {
    RefWord& w = r.words[i];
    auto s = surface.find(w.key);
    w.display = s == surface.end() ? w.key : s->second;
    if (w.display == "^" || w.display == "^^") {
      const bool all = w.display.size() == 2;
      w.display = w.key;
      for (size_t k = 0; k < w.display.size() && (all || k == 0); ++k)
        if (w.display[k] >= 'a' && w.display[k] <= 'z') w.display[k] = static_cast<char>(w.display[k] - 'a' + 'A');
    }
    if (w.vocab_id >= 0) {
      r.by_vocab[w.vocab_id] = static_cast<int32_t>(i);
    } else {
      r.tail_by_count.push_back(static_cast<int32_t>(i));
      r.tail_total += w.count;
    }
  }
  r.lcp_next.assign(r.words.size(), 0);
  for (size_t i = 0; i + 1 < r.words.size(); ++i) {
    const std::string& a = r.words[i].key;
    const std::string& b = r.words[i + 1].key;
    size_t k = 0;
    while (k < 255 && k < a.size() && k < b.size() && a[k] == b[k]) ++k;
    r.lcp_next[i] = static_cast<uint8_t>(k);
  }
  const double total = static_cast<double>(std::max<uint64_t>(r.tail_total, 1));
  for (int32_t i : r.tail_by_count) r.words[i].log_tail = static_cast<float>(std::log(r.words[i].count / total));
  std::stable_sort(r.tail_by_count.begin(), r.tail_by_count.end(),
                   [&r](int32_t a, int32_t b) { return r.words[a].count > r.words[b].count; });
  return r;
}

std::string_view Metadata(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return {};
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

void ExpectSameLexicon(const RefLexicon& ref, const Lexicon& lex) {
  ASSERT_EQ(lex.size(), ref.words.size());
  for (size_t i = 0; i < lex.size(); ++i) {
    const Word w = lex.word(i);
    const RefWord& r = ref.words[i];
    ASSERT_EQ(w.key, r.key) << i;
    ASSERT_EQ(w.display, r.display) << r.key;
    ASSERT_EQ(w.count, r.count) << r.key;
    ASSERT_EQ(w.vocab_id, r.vocab_id) << r.key;
    ASSERT_EQ(w.log_tail, r.log_tail) << r.key;  // bit for bit
    ASSERT_EQ(lex.vocab_id(i), r.vocab_id);
    ASSERT_EQ(lex.log_tail(i), r.log_tail);
    ASSERT_EQ(lex.lcp_next(i), ref.lcp_next[i]) << r.key;
  }
  for (size_t id = 0; id < ref.by_vocab.size(); ++id)
    ASSERT_EQ(lex.index_of_vocab(static_cast<int32_t>(id)), ref.by_vocab[id]) << id;
  EXPECT_EQ(lex.index_of_vocab(-1), -1);
  EXPECT_EQ(lex.index_of_vocab(static_cast<int32_t>(ref.by_vocab.size())), -1);
  // Version 4 lists the first kLexiconTailTop tail words; the others all.
  const size_t listed = lex.version() >= 4 ? std::min(ref.tail_by_count.size(), kLexiconTailTop) : ref.tail_by_count.size();
  ASSERT_EQ(std::vector<int32_t>(lex.tail_by_count().begin(), lex.tail_by_count().end()),
            std::vector<int32_t>(ref.tail_by_count.begin(), ref.tail_by_count.begin() + listed));
  EXPECT_EQ(lex.num_tail(), ref.tail_by_count.size());
  EXPECT_EQ(lex.tail_total(), ref.tail_total);
}

// Find, PrefixRange and GroupEnd against std::lower_bound and scans of the
// reference's keys.
void ExpectSameSearches(const RefLexicon& ref, const Lexicon& lex) {
  std::vector<std::string> keys;
  for (const RefWord& w : ref.words) keys.push_back(w.key);
  std::vector<std::string> probes = {"", "zzzzzz", "\xff", "a", "qu", "th", "the", "thx"};
  for (size_t i = 0; i < keys.size(); i += 7) {
    probes.push_back(keys[i]);
    probes.push_back(keys[i] + "a");
    for (size_t len = 1; len < keys[i].size() && len <= 3; ++len) probes.push_back(keys[i].substr(0, len));
  }
  for (const std::string& p : probes) {
    auto it = std::lower_bound(keys.begin(), keys.end(), p);
    const int32_t want = it != keys.end() && *it == p ? static_cast<int32_t>(it - keys.begin()) : -1;
    ASSERT_EQ(lex.Find(p), want) << p;
    const size_t lo_want = static_cast<size_t>(it - keys.begin());
    size_t hi_want = lo_want;
    while (hi_want < keys.size() && keys[hi_want].compare(0, p.size(), p) == 0) ++hi_want;
    size_t lo, hi;
    lex.PrefixRange(p, 0, lex.size(), &lo, &hi);
    ASSERT_EQ(lo, lo_want) << p;
    ASSERT_EQ(hi, hi_want) << p;
  }
  for (size_t pos = 0; pos < keys.size(); pos += 13)
    for (size_t bytes = 0; bytes <= std::min<size_t>(keys[pos].size(), 6); ++bytes) {
      size_t want = pos + 1;
      while (want < keys.size() && keys[want].size() >= bytes && keys[want].compare(0, bytes, keys[pos], 0, bytes) == 0)
        ++want;
      ASSERT_EQ(lex.GroupEnd(pos, keys.size(), bytes), want) << keys[pos] << " " << bytes;
    }
}

// models/en.hunch ships without its text sections (hunch metadata
// --strip-text) and with lexicon.bin version 3. These tests compare the
// sections with the text they come from, so they run on the model with its
// text rendered back and its sections derived again in the default layout
// (what `hunch metadata --restore-text --lexicon-version 2` writes), made
// once per process in the test temp folder (a name of its own: ctest runs
// the tests as processes side by side) and removed at exit.
struct RemoveAtExit {
  std::string path;
  ~RemoveAtExit() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

const std::string& DefaultModelWithText() {
  static RemoveAtExit file;
  static const std::string path = [] {
    const std::string out = ::testing::TempDir() + "/en-with-text-" + std::to_string(::getpid()) + ".hunch";
    file.path = out;
    std::shared_ptr<const Model> model;
    std::unique_ptr<ModelRewriter> rw;
    SourceTexts texts;
    std::vector<std::pair<std::string, std::string>> derived;
    std::vector<uint8_t> bytes;
    if (!Model::Open(hunch::testing::DefaultModelPath(), {}, &model).ok() ||
        !ModelRewriter::Open(hunch::testing::DefaultModelPath(), &rw).ok() ||
        !ReadSourceTexts(*model, &texts).ok() ||
        !DeriveEngineSections(Metadata(*model, "vocab"), Metadata(*model, "tokenizer"), texts.lexicon, texts.surface,
                              texts.emoji, &derived)
             .ok())
      return std::string();
    for (const auto& [name, text] : {std::pair<const char*, const std::string*>{"lexicon", &texts.lexicon},
                                     {"surface", &texts.surface},
                                     {"emoji", &texts.emoji}})
      if (!rw->SetMetadata(name, *text).ok()) return std::string();
    for (const auto& d : derived)
      if (!d.second.empty() && !rw->SetMetadata(d.first, d.second).ok()) return std::string();
    if (!rw->Finish(&bytes).ok()) return std::string();
    FILE* f = std::fopen(out.c_str(), "wb");
    if (!f) return std::string();
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok ? out : std::string();
  }();
  return path;
}

class DefaultModelSections : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(DefaultModelWithText().empty()) << "could not write the default model with its text";
    ASSERT_TRUE(Model::Open(DefaultModelWithText(), {}, &model_).ok());
    ASSERT_TRUE(text::Tokenizer::FromModel(*model_, &tokenizer_).ok());
    for (int i = 0; i < tokenizer_.size(); ++i) vocab_.emplace_back(tokenizer_.token(i));
    first_ = FirstWordId(tokenizer_);
    ref_ = RefBuild(vocab_, first_, Metadata(*model_, "lexicon"), Metadata(*model_, "surface"), kSectionMinCount);
    ASSERT_GT(ref_.words.size(), 30000u);
  }
  std::shared_ptr<const Model> model_;
  text::Tokenizer tokenizer_;
  std::vector<std::string> vocab_;
  int first_ = 0;
  RefLexicon ref_;
};

// The section in models/en.hunch, viewed where it lies, holds exactly what
// the old parse made of the text; so does the in-memory build.
TEST_F(DefaultModelSections, TheViewEqualsTheOldParse) {
  const std::string_view bin = Metadata(*model_, kLexiconSectionName);
  ASSERT_FALSE(bin.empty());
  Lexicon view;
  Status st = view.ViewSection(reinterpret_cast<const uint8_t*>(bin.data()), bin.size(), VocabRef::Of(vocab_), first_);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(view.memory_bytes(), 0u);
  EXPECT_EQ(view.min_count(), kSectionMinCount);
  ExpectSameLexicon(ref_, view);
  ExpectSameSearches(ref_, view);

  Lexicon built;
  ASSERT_TRUE(built.Build(vocab_, first_, Metadata(*model_, "lexicon"), Metadata(*model_, "surface"),
                          kSectionMinCount).ok());
  EXPECT_GT(built.memory_bytes(), 0u);
  ExpectSameLexicon(ref_, built);
  // One builder: the file's bytes are what it makes of the file's text.
  std::string bytes;
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), first_, Metadata(*model_, "lexicon"),
                                  Metadata(*model_, "surface"), kSectionMinCount, &bytes).ok());
  EXPECT_TRUE(bytes == bin);
  EXPECT_TRUE(CheckDerivedSections(*model_).ok()) << CheckDerivedSections(*model_).ToString();
}

TEST_F(DefaultModelSections, OtherMinCountsMatchTheOldParse) {
  for (uint64_t min_count : {0, 1, 5}) {
    Lexicon lex;
    ASSERT_TRUE(lex.Build(vocab_, first_, Metadata(*model_, "lexicon"), Metadata(*model_, "surface"), min_count).ok());
    ExpectSameLexicon(RefBuild(vocab_, first_, Metadata(*model_, "lexicon"), Metadata(*model_, "surface"), min_count),
                      lex);
  }
}

TEST_F(DefaultModelSections, TheEmojiTableEqualsTheText) {
  const std::string_view bin = Metadata(*model_, kEmojiSectionName);
  EmojiTable view, built;
  ASSERT_TRUE(view.ViewSection(reinterpret_cast<const uint8_t*>(bin.data()), bin.size()).ok());
  ASSERT_TRUE(built.Build(Metadata(*model_, "emoji")).ok());
  EXPECT_EQ(view.memory_bytes(), 0u);
  // The old parse: the first kMaxPerKeyword emoji of each keyword, in file order.
  std::unordered_map<std::string, std::vector<std::string>> want;
  text::ForEachTsvRow(Metadata(*model_, "emoji"), [&](size_t, const std::vector<std::string_view>& f) {
    auto& list = want[std::string(f[1])];
    if (list.size() < EmojiTable::kMaxPerKeyword) list.emplace_back(f[0]);
    return true;
  });
  ASSERT_EQ(view.size(), want.size());
  for (const auto& kv : want) {
    const std::vector<std::string_view> got = view.Find(kv.first);
    ASSERT_EQ(std::vector<std::string>(got.begin(), got.end()), kv.second) << kv.first;
    ASSERT_EQ(built.Find(kv.first), got);
  }
}

std::vector<std::string> Answers(const Engine& engine) {
  std::unique_ptr<Session> s;
  EXPECT_TRUE(engine.NewSession(&s).ok());
  std::vector<std::string> out;
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"", ""},         {"I will see you", "tom"}, {"thank you so", ""}, {"the", "wrld"}, {"I love", "pizz"},
      {"happy", "birt"}, {"in new", "yo"},          {"she said", "i"},    {"Smile", ""},    {"", "fire"}};
  for (const auto& r : requests) {
    SuggestRequest req;
    req.context = r.first;
    req.typed = r.second;
    req.max_suggestions = 5;
    std::vector<Suggestion> sug;
    EXPECT_TRUE(s->Suggest(req, &sug).ok());
    std::string line;
    for (const Suggestion& g : sug) line += g.text + "/" + std::to_string(static_cast<int>(g.kind)) + "/" +
                                            std::to_string(g.score) + " ";
    out.push_back(line);
  }
  return out;
}

// The engine on the sections answers exactly as on the text alone, and holds
// neither lexicon nor emoji table on the heap.
TEST_F(DefaultModelSections, TheEngineAnswersTheSameFromTheSectionsAndTheText) {
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
  ASSERT_TRUE(rw->RemoveMetadata(kLexiconSectionName).ok());
  ASSERT_TRUE(rw->RemoveMetadata(kEmojiSectionName).ok());
  std::vector<uint8_t> text_only;
  ASSERT_TRUE(rw->Finish(&text_only).ok());

  std::shared_ptr<const Engine> from_sections, from_text;
  ASSERT_TRUE(Engine::FromModel(model_, {}, &from_sections).ok());
  ASSERT_TRUE(Engine::OpenBuffer(text_only.data(), text_only.size(), {}, &from_text).ok());
  const Engine::Impl& a = internal::EngineAccess::Get(*from_sections);
  const Engine::Impl& b = internal::EngineAccess::Get(*from_text);
  EXPECT_EQ(a.lexicon.memory_bytes(), 0u);
  EXPECT_LT(a.emoji.memory_bytes(), b.emoji.memory_bytes());  // the dropped emoji's names only
  EXPECT_GT(b.lexicon.memory_bytes(), 1000000u);
  EXPECT_LT(from_sections->memory_bytes(), 100000u);  // the offensive flags, the dropped emoji
  EXPECT_EQ(from_sections->lexicon_size(), from_text->lexicon_size());
  EXPECT_EQ(Answers(*from_sections), Answers(*from_text));

  // Another min_word_count: built from the text, as before the sections.
  EngineOptions o;
  o.min_word_count = 5;
  std::shared_ptr<const Engine> five;
  ASSERT_TRUE(Engine::FromModel(model_, o, &five).ok());
  EXPECT_GT(internal::EngineAccess::Get(*five).lexicon.memory_bytes(), 0u);
  EXPECT_LT(five->lexicon_size(), from_sections->lexicon_size());
}

TEST_F(DefaultModelSections, AHostileSectionIsCorruptionAtOpen) {
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
  std::string bin(Metadata(*model_, kLexiconSectionName));
  uint32_t n;
  std::memcpy(&n, &bin[8], 4);
  ++n;  // one word more than the arrays hold
  std::memcpy(&bin[8], &n, 4);
  ASSERT_TRUE(rw->SetMetadata(kLexiconSectionName, bin).ok());
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(rw->Finish(&bytes).ok());
  std::shared_ptr<const Engine> e;
  const Status st = Engine::OpenBuffer(bytes.data(), bytes.size(), {}, &e);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("lexicon.bin"), std::string::npos) << st.message();
}

// A section that fails its checks: with the text there, only the view is
// refused (another min_word_count builds from the text, and the text is the
// source to derive it again from); without the text, it is the error.
TEST_F(DefaultModelSections, AHostileSectionWithAndWithoutTheText) {
  std::string bin(Metadata(*model_, kLexiconSectionName));
  LexiconSectionHeader h;
  std::memcpy(&h, bin.data(), sizeof h);
  bin[bin.size() - h.display_bytes - 16] ^= 0x7f;  // a key byte: unsorted or untypeable keys
  for (bool strip : {false, true}) {
    std::unique_ptr<ModelRewriter> rw;
    ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
    ASSERT_TRUE(rw->SetMetadata(kLexiconSectionName, bin).ok());
    if (strip)
      for (const char* name : {"lexicon", "surface"}) ASSERT_TRUE(rw->RemoveMetadata(name).ok());
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(rw->Finish(&bytes).ok());
    std::shared_ptr<const Model> m;
    ASSERT_TRUE(Model::FromBufferCopy(bytes.data(), bytes.size(), {}, &m).ok());
    SourceTexts src;
    const Status read = ReadSourceTexts(*m, &src);
    std::shared_ptr<const Engine> e;
    EXPECT_EQ(Engine::FromModel(m, {}, &e).code(), StatusCode::kCorruption) << strip;
    EngineOptions o;
    o.min_word_count = 5;
    const Status five = Engine::FromModel(m, o, &e);
    if (strip) {
      EXPECT_EQ(read.code(), StatusCode::kCorruption) << read.ToString();
      EXPECT_EQ(five.code(), StatusCode::kCorruption) << five.ToString();
    } else {
      EXPECT_TRUE(read.ok()) << read.ToString();
      EXPECT_FALSE(src.any_rendered());
      EXPECT_TRUE(five.ok()) << five.ToString();
      EXPECT_EQ(CheckDerivedSections(*m).code(), StatusCode::kCorruption);  // hunch metadata --derive rewrites it
    }
  }
}

// A section of an older version (1: u64 counts, display offsets) is treated
// as missing: the engine builds from the text and answers the same; the
// header reader says how to rewrite it. A newer version is corruption.
TEST_F(DefaultModelSections, AnOlderSectionIsBuiltFromTheText) {
  std::string bin(Metadata(*model_, kLexiconSectionName));
  const uint32_t one = 1;
  std::memcpy(&bin[4], &one, 4);
  std::vector<uint64_t> aligned(bin.size() / 8);
  std::memcpy(aligned.data(), bin.data(), bin.size());
  LexiconSectionHeader h;
  const Status header = ReadLexiconHeader(reinterpret_cast<const uint8_t*>(aligned.data()), bin.size(), &h);
  EXPECT_EQ(header.code(), StatusCode::kUnsupported) << header.ToString();
  EXPECT_NE(header.message().find("hunch metadata MODEL --derive --out MODEL"), std::string::npos)
      << header.message();
  EXPECT_TRUE(IsOlderLexiconSection(reinterpret_cast<const uint8_t*>(aligned.data()), bin.size()));

  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
  ASSERT_TRUE(rw->SetMetadata(kLexiconSectionName, bin).ok());
  std::vector<uint8_t> older;
  ASSERT_TRUE(rw->Finish(&older).ok());
  std::shared_ptr<const Engine> from_older, from_sections;
  const Status st = Engine::OpenBuffer(older.data(), older.size(), {}, &from_older);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(Engine::FromModel(model_, {}, &from_sections).ok());
  EXPECT_GT(internal::EngineAccess::Get(*from_older).lexicon.memory_bytes(), 0u);  // built from the text
  EXPECT_EQ(Answers(*from_older), Answers(*from_sections));

  const uint32_t five = 5;
  std::memcpy(&bin[4], &five, 4);
  ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
  ASSERT_TRUE(rw->SetMetadata(kLexiconSectionName, bin).ok());
  std::vector<uint8_t> newer;
  ASSERT_TRUE(rw->Finish(&newer).ok());
  std::shared_ptr<const Engine> e;
  const Status st3 = Engine::OpenBuffer(newer.data(), newer.size(), {}, &e);
  EXPECT_EQ(st3.code(), StatusCode::kCorruption) << st3.ToString();
  EXPECT_NE(st3.message().find("version 5"), std::string::npos) << st3.message();
}

// The text rendered back from the sections (a model shipped without its
// text) derives the same bytes again, and holds every word the section holds
// with its count and display: the original text up to the order of the
// lines, repeated lines summed, and what the builder drops (untypeable keys,
// rare words outside the vocabulary, vocabulary words of count 0, displays
// equal to their key, emoji beyond the first 4 of a keyword).
TEST_F(DefaultModelSections, TheTextRendersBackFromTheSections) {
  const std::string_view bin = Metadata(*model_, kLexiconSectionName);
  Lexicon view;
  ASSERT_TRUE(view.ViewSection(reinterpret_cast<const uint8_t*>(bin.data()), bin.size(), VocabRef::Of(vocab_), first_)
                  .ok());
  std::string lexicon, surface;
  view.RenderText(&lexicon, &surface);
  std::string again;
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), first_, lexicon, surface, kSectionMinCount, &again).ok());
  EXPECT_TRUE(again == bin);

  std::unordered_map<std::string, uint64_t> counts;
  std::unordered_map<std::string, std::string> displays;
  uint64_t last = std::numeric_limits<uint64_t>::max();
  text::ForEachTsvRow(lexicon, [&](size_t, const std::vector<std::string_view>& f) {
    unsigned long long n = 0;
    EXPECT_TRUE(f.size() == 2 && text::ParseTsvCount(f[1], 19, &n));
    EXPECT_LE(n, last);  // highest count first
    last = n;
    EXPECT_TRUE(counts.emplace(std::string(f[0]), n).second) << f[0];
    return true;
  });
  text::ForEachTsvRow(surface, [&](size_t, const std::vector<std::string_view>& f) {
    EXPECT_EQ(f.size(), 2u);
    displays[std::string(f[0])] = std::string(f[1]);
    return true;
  });
  size_t want_lines = 0;
  for (const RefWord& w : ref_.words) {
    if (w.vocab_id >= 0 && w.count == 0) {
      EXPECT_EQ(counts.count(w.key), 0u) << w.key;
    } else {
      ++want_lines;
      EXPECT_EQ(counts[w.key], w.count) << w.key;
    }
    auto d = displays.find(w.key);
    if (w.display == w.key) {
      EXPECT_TRUE(d == displays.end()) << w.key;
      continue;
    }
    ASSERT_TRUE(d != displays.end()) << w.key;
    // "^": the first ASCII letter upper-cased; "^^": every one; else as is.
    const bool first = d->second == "^", all = d->second == "^^";
    std::string shown = first || all ? w.key : d->second;
    for (size_t k = 0; (first || all) && k < shown.size() && (all || k == 0); ++k)
      if (shown[k] >= 'a' && shown[k] <= 'z') shown[k] = static_cast<char>(shown[k] - 'a' + 'A');
    EXPECT_EQ(shown, w.display) << w.key;
  }
  EXPECT_EQ(counts.size(), want_lines);
  EXPECT_EQ(displays.size(), static_cast<size_t>(std::count_if(
                                 ref_.words.begin(), ref_.words.end(), [](const RefWord& w) { return w.display != w.key; })));

  const std::string_view ebin = Metadata(*model_, kEmojiSectionName);
  EmojiTable table;
  ASSERT_TRUE(table.ViewSection(reinterpret_cast<const uint8_t*>(ebin.data()), ebin.size()).ok());
  std::string emoji, emoji_again;
  table.RenderText(&emoji);
  ASSERT_TRUE(BuildEmojiSection(emoji, &emoji_again).ok());
  EXPECT_TRUE(emoji_again == ebin);
  // Every line of the rendered text is a line of the original.
  std::set<std::string> original;
  text::ForEachTsvRow(Metadata(*model_, "emoji"), [&](size_t, const std::vector<std::string_view>& f) {
    original.insert(std::string(f[0]) + "\t" + std::string(f[1]));
    return true;
  });
  text::ForEachTsvRow(emoji, [&](size_t, const std::vector<std::string_view>& f) {
    EXPECT_EQ(original.count(std::string(f[0]) + "\t" + std::string(f[1])), 1u) << f[0] << " " << f[1];
    return true;
  });
}

// A model without the text sections (hunch metadata --strip-text) opens from
// the binary ones and answers as the full model does; a higher
// min_word_count builds from the rendered text, a lower one is refused.
TEST_F(DefaultModelSections, AModelWithoutTheTextOpensFromTheSections) {
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
  for (const char* name : {"lexicon", "surface", "emoji"}) ASSERT_TRUE(rw->RemoveMetadata(name).ok());
  std::vector<uint8_t> stripped;
  ASSERT_TRUE(rw->Finish(&stripped).ok());
  EXPECT_LT(stripped.size() + 300000, model_->file_bytes());
  std::shared_ptr<const Model> bare;
  ASSERT_TRUE(Model::FromBufferCopy(stripped.data(), stripped.size(), {}, &bare).ok());

  SourceTexts src;
  ASSERT_TRUE(ReadSourceTexts(*bare, &src).ok());
  EXPECT_TRUE(src.lexicon_rendered && src.surface_rendered && src.emoji_rendered);
  EXPECT_TRUE(CheckDerivedSections(*bare).ok()) << CheckDerivedSections(*bare).ToString();
  SourceTexts full;
  ASSERT_TRUE(ReadSourceTexts(*model_, &full).ok());
  EXPECT_FALSE(full.any_rendered());
  EXPECT_EQ(full.lexicon, Metadata(*model_, "lexicon"));

  std::shared_ptr<const Engine> from_bare, from_full;
  ASSERT_TRUE(Engine::FromModel(bare, {}, &from_bare).ok());
  ASSERT_TRUE(Engine::FromModel(model_, {}, &from_full).ok());
  EXPECT_EQ(internal::EngineAccess::Get(*from_bare).lexicon.memory_bytes(), 0u);
  EXPECT_EQ(Answers(*from_bare), Answers(*from_full));

  EngineOptions o;
  o.min_word_count = 5;
  std::shared_ptr<const Engine> five_bare, five_full;
  Status st = Engine::FromModel(bare, o, &five_bare);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(Engine::FromModel(model_, o, &five_full).ok());
  EXPECT_LT(five_bare->lexicon_size(), from_bare->lexicon_size());
  EXPECT_EQ(five_bare->lexicon_size(), five_full->lexicon_size());
  EXPECT_EQ(Answers(*five_bare), Answers(*five_full));

  for (int below : {0, 1}) {
    o.min_word_count = below;
    std::shared_ptr<const Engine> e;
    st = Engine::FromModel(bare, o, &e);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find("min_word_count " + std::to_string(below) + " is below the 2"), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("--strip-text"), std::string::npos) << st.message();
    EXPECT_FALSE(e);
    ASSERT_TRUE(Engine::FromModel(model_, o, &e).ok());  // the full model has the rarer words
  }
}

// lexicon.bin versions 3 and 4 (hunch metadata --lexicon-version 3, 4) hold
// the same lexicon in fewer bytes, viewed in place (no heap), and the engine
// answers exactly as on version 2, with or without the text sections.
TEST_F(DefaultModelSections, CompactVersionsAreTheSameLexiconSmaller) {
  const std::string_view v2 = Metadata(*model_, kLexiconSectionName);
  LexiconSectionHeader h2;
  ASSERT_TRUE(ReadLexiconHeader(reinterpret_cast<const uint8_t*>(v2.data()), v2.size(), &h2).ok());
  for (const uint32_t version : {3u, 4u}) {
    SCOPED_TRACE("version " + std::to_string(version));
    std::string bin;
    ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), first_, Metadata(*model_, "lexicon"),
                                    Metadata(*model_, "surface"), kSectionMinCount, &bin, version)
                    .ok());
    const size_t n = ref_.words.size();
    if (version == 3) {
      EXPECT_EQ(bin.size() + (4 * n + 7) / 8 * 8, v2.size());  // one array of n words fewer
    } else {
      // 16-bit key offsets with a u32 base per 64 words, and 256 tail entries.
      const size_t saved = ((4 * n + 7) / 8 * 8) + ((4 * (n + 1) + 7) / 8 * 8) - ((2 * (n + 1) + 7) / 8 * 8) -
                           ((4 * (n / kLexiconKeyBlock + 1) + 7) / 8 * 8) + ((4 * h2.num_tail + 7) / 8 * 8) -
                           4 * kLexiconTailTop;
      EXPECT_EQ(bin.size() + saved, v2.size());
      EXPECT_GT(h2.num_tail, kLexiconTailTop);
    }
    std::vector<uint64_t> buf(bin.size() / 8);
    std::memcpy(buf.data(), bin.data(), bin.size());
    Lexicon view;
    ASSERT_TRUE(
        view.ViewSection(reinterpret_cast<const uint8_t*>(buf.data()), bin.size(), VocabRef::Of(vocab_), first_)
            .ok());
    EXPECT_EQ(view.version(), version);
    EXPECT_EQ(view.memory_bytes(), 0u);
    ExpectSameLexicon(ref_, view);
    ExpectSameSearches(ref_, view);

    for (bool strip : {false, true}) {
      std::unique_ptr<ModelRewriter> rw;
      ASSERT_TRUE(ModelRewriter::Open(DefaultModelWithText(), &rw).ok());
      ASSERT_TRUE(rw->SetMetadata(kLexiconSectionName, bin).ok());
      if (strip)
        for (const char* name : {"lexicon", "surface", "emoji"}) ASSERT_TRUE(rw->RemoveMetadata(name).ok());
      std::vector<uint8_t> bytes;
      ASSERT_TRUE(rw->Finish(&bytes).ok());
      std::shared_ptr<const Model> m;
      ASSERT_TRUE(Model::FromBufferCopy(bytes.data(), bytes.size(), {}, &m).ok());
      EXPECT_EQ(LexiconSectionVersion(*m), version);
      EXPECT_EQ(LexiconSectionVersion(*model_), 2u);
      EXPECT_TRUE(CheckDerivedSections(*m).ok()) << CheckDerivedSections(*m).ToString();  // derived in its version
      std::shared_ptr<const Engine> ec, e2;
      ASSERT_TRUE(Engine::FromModel(m, {}, &ec).ok());
      ASSERT_TRUE(Engine::FromModel(model_, {}, &e2).ok());
      EXPECT_EQ(internal::EngineAccess::Get(*ec).lexicon.memory_bytes(), 0u);
      EXPECT_EQ(internal::EngineAccess::Get(*ec).lexicon.version(), version);
      EXPECT_EQ(Answers(*ec), Answers(*e2)) << strip;
      EngineOptions o;
      o.min_word_count = 5;
      ASSERT_TRUE(Engine::FromModel(m, o, &ec).ok());
      ASSERT_TRUE(Engine::FromModel(model_, o, &e2).ok());
      EXPECT_EQ(ec->lexicon_size(), e2->lexicon_size());
      EXPECT_EQ(Answers(*ec), Answers(*e2)) << strip;
    }
  }
}

// display(i) is a binary search over the stored displays only: cheap enough
// for the few suggestions shown (it is not called by the search).
TEST_F(DefaultModelSections, StoredDisplaysAreFewAndFound) {
  const std::string_view bin = Metadata(*model_, kLexiconSectionName);
  LexiconSectionHeader h;
  ASSERT_TRUE(ReadLexiconHeader(reinterpret_cast<const uint8_t*>(bin.data()), bin.size(), &h).ok());
  EXPECT_GT(h.num_displays, 1000u);
  EXPECT_LT(h.num_displays, h.num_words / 4);
  EXPECT_LT(bin.size(), 33u * h.num_words);  // version 2; version 1 took 37.4 bytes a word
}

// ---- every check of docs/format.md on a small section ----------------------

struct Offsets {  // the layout of docs/format.md
  size_t counts, key_offsets, vocab_ids, log_tails, by_vocab, tail, pairs, lcp, kinds, keys, displays, total;
};
size_t Up8(size_t x) { return (x + 7) / 8 * 8; }
Offsets LayoutOf(size_t n, size_t v, size_t t, size_t s, size_t k, size_t d) {
  Offsets o;
  o.counts = 64;
  o.key_offsets = Up8(o.counts + 4 * n);
  o.vocab_ids = Up8(o.key_offsets + 4 * (n + 1));
  o.log_tails = Up8(o.vocab_ids + 4 * n);
  o.by_vocab = Up8(o.log_tails + 4 * n);
  o.tail = Up8(o.by_vocab + 4 * v);
  o.pairs = Up8(o.tail + 4 * t);
  o.lcp = Up8(o.pairs + 8 * s);
  o.kinds = Up8(o.lcp + n);
  o.keys = Up8(o.kinds + n);
  o.displays = Up8(o.keys + k);
  o.total = Up8(o.displays + d);
  return o;
}

class LexiconSectionChecks : public ::testing::Test {
 protected:
  // Words: apple(tail 5, "^": "Apple") fig(tail 3) pear(tail 3) rare(vocab) the(vocab, "The")
  // thermal(tail 4, "^^": "THERMAL"). Displays: pairs (0, 0) (4, 5) (5, 8), 15 bytes.
  void SetUp() override {
    ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, "the\t100\nrare\t0\napple\t5\npear\t3\nfig\t3\nthermal\t4\n",
                                    "apple\t^\nthe\tThe\nthermal\t^^\nfig\tfig\n", 2, &good_)
                    .ok());
    LexiconSectionHeader h;
    ASSERT_TRUE(ReadLexiconHeader(Aligned(good_), good_.size(), &h).ok());
    n_ = h.num_words;
    ASSERT_EQ(n_, 6u);
    ASSERT_EQ(h.num_tail, 4u);
    ASSERT_EQ(h.num_displays, 3u);  // fig's "fig" is its key: kind 0, nothing stored
    ASSERT_EQ(h.display_bytes, 15u);
    o_ = LayoutOf(n_, h.vocab_size, h.num_tail, h.num_displays, h.key_bytes, h.display_bytes);
    ASSERT_EQ(o_.total, good_.size());
    ASSERT_TRUE(View(good_).ok());
  }
  const uint8_t* Aligned(const std::string& bytes) {
    buf_.assign(bytes.size() / 8 + 2, 0);
    std::memcpy(buf_.data(), bytes.data(), bytes.size());
    return reinterpret_cast<const uint8_t*>(buf_.data());
  }
  Status View(const std::string& bytes, const std::vector<std::string>* vocab = nullptr, int first = 3) {
    Lexicon lex;
    return lex.ViewSection(Aligned(bytes), bytes.size(), VocabRef::Of(vocab ? *vocab : vocab_), first);
  }
  template <typename T>
  std::string With(size_t at, T value) const {
    std::string b = good_;
    std::memcpy(&b[at], &value, sizeof(T));
    return b;
  }
  template <typename T>
  T At(size_t at) const {
    T v;
    std::memcpy(&v, &good_[at], sizeof(T));
    return v;
  }
  void ExpectCorrupt(const std::string& bytes, const std::string& message) {
    const Status st = View(bytes);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << message << ": " << st.ToString();
    EXPECT_NE(st.message().find(message), std::string::npos) << st.message();
  }

  std::vector<std::string> vocab_ = {"<unk>", "<s>", "</s>", "the", "rare"};
  std::string good_;
  std::vector<uint64_t> buf_;
  size_t n_ = 0;
  Offsets o_;
};

TEST_F(LexiconSectionChecks, TheHeader) {
  ExpectCorrupt(good_.substr(0, 63), "fewer than its 64-byte header");
  ExpectCorrupt(good_ + std::string(8, '\0'), "where its counts make");
  ExpectCorrupt(good_.substr(0, good_.size() - 8), "where its counts make");
  ExpectCorrupt(With<uint32_t>(0, 0x12345678), "bad magic");
  ExpectCorrupt(With<uint32_t>(4, 5), "version 5");
  ExpectCorrupt(With<uint32_t>(4, 0), "version 0");
  EXPECT_EQ(View(With<uint32_t>(4, 1)).code(), StatusCode::kUnsupported);  // older: rewrite it
  EXPECT_NE(View(With<uint32_t>(4, 1)).message().find("--derive"), std::string::npos);
  ExpectCorrupt(With<uint32_t>(48, 4), "where its counts make");  // num_displays: the pairs' size
  ExpectCorrupt(With<uint32_t>(52, 1), "reserved");
  ExpectCorrupt(With<uint64_t>(56, 1), "reserved");
  ExpectCorrupt(With<uint32_t>(8, 0x80000000u), "2^31 - 1");
  ExpectCorrupt(With<uint32_t>(8, 7), "where its counts make");
  // Misaligned in memory.
  {
    std::vector<uint64_t> b(good_.size() / 8 + 2);
    std::memcpy(reinterpret_cast<char*>(b.data()) + 4, good_.data(), good_.size());
    Lexicon lex;
    const Status st =
        lex.ViewSection(reinterpret_cast<const uint8_t*>(b.data()) + 4, good_.size(), VocabRef::Of(vocab_), 3);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find("aligned"), std::string::npos) << st.message();
  }
  // Against another vocabulary or first word id.
  std::vector<std::string> longer = vocab_;
  longer.push_back("extra");
  EXPECT_EQ(View(good_, &longer).code(), StatusCode::kCorruption);
  EXPECT_NE(View(good_, &longer).message().find("vocabulary tokens"), std::string::npos);
  EXPECT_NE(View(good_, nullptr, 4).message().find("first word id"), std::string::npos);
}

TEST_F(LexiconSectionChecks, KeysAndDisplays) {
  const uint32_t k = At<uint32_t>(24);
  ExpectCorrupt(With<uint32_t>(o_.key_offsets, 1), "key offsets do not span");
  ExpectCorrupt(With<uint32_t>(o_.key_offsets + 4 * n_, k - 1), "key offsets do not span");
  ExpectCorrupt(With<uint32_t>(o_.key_offsets + 4, 0), "not increasing at word 0");  // an empty first key
  // Past the blob, with the last offset right: refused before any byte is read.
  ExpectCorrupt(With<uint32_t>(o_.key_offsets + 4, 5000), "not increasing at word 0");
  ExpectCorrupt(With<char>(o_.keys, '\x01'), "not typeable");
  ExpectCorrupt(With<char>(o_.keys, '\xff'), "not typeable");
  ExpectCorrupt(With<char>(o_.keys, 'z'), "keys not sorted at word 1");  // "zpple" > "fig"
  ExpectCorrupt(With<uint8_t>(o_.lcp, 1), "lcp_next wrong at word 0");
  ExpectCorrupt(With<uint8_t>(o_.lcp + n_ - 1, 1), "lcp_next of the last word");
}

TEST_F(LexiconSectionChecks, Displays) {
  // Words 0 apple (kind 1), 1 fig, 2 pear, 3 rare (kind 0), 4 the (kind 3), 5 thermal (kind 2).
  ASSERT_EQ(At<uint8_t>(o_.kinds + 0), kDisplayFirstUpper);
  ASSERT_EQ(At<uint8_t>(o_.kinds + 4), kDisplayStored);
  ASSERT_EQ(At<uint8_t>(o_.kinds + 5), kDisplayAllUpper);
  {
    Lexicon lex;
    ASSERT_TRUE(lex.ViewSection(Aligned(good_), good_.size(), VocabRef::Of(vocab_), 3).ok());
    const std::vector<std::string> want = {"Apple", "fig", "pear", "rare", "The", "THERMAL"};
    for (size_t i = 0; i < n_; ++i) EXPECT_EQ(lex.display(i), want[i]) << i;
  }
  ExpectCorrupt(With<uint8_t>(o_.kinds + 1, 4), "display kind 4 of word 1 is above 3");
  ExpectCorrupt(With<uint8_t>(o_.kinds + 1, 3), "display pairs do not list word 1");  // no pair for fig
  ExpectCorrupt(With<uint8_t>(o_.kinds + 4, 0), "display pairs do not list word 5");  // the's pair left over
  ExpectCorrupt(With<uint8_t>(o_.kinds + 5, 0), "more display pairs than words");
  ExpectCorrupt(With<uint32_t>(o_.pairs + 8, 5), "display pairs do not list word 4");  // indices out of order
  ExpectCorrupt(With<uint32_t>(o_.pairs + 8, 99), "display pairs do not list word 4");  // out of range
  ExpectCorrupt(With<uint32_t>(o_.pairs + 4, 1), "display offsets not increasing within the display bytes at pair 0");
  ExpectCorrupt(With<uint32_t>(o_.pairs + 12, 0), "at pair 0");     // an empty display
  ExpectCorrupt(With<uint32_t>(o_.pairs + 12, 5000), "at pair 0");  // past the blob: refused before reading
  ExpectCorrupt(With<uint32_t>(o_.pairs + 20, 16), "at pair 1");    // past D = 15
  ExpectCorrupt(With<char>(o_.displays + 5, '\xff'), "display of word 4 is not UTF-8");
  ExpectCorrupt(With<char>(o_.displays, 'B'), "display of word 0 is not its key as display kind 1");
  ExpectCorrupt(With<uint8_t>(o_.kinds + 0, 2), "display of word 0 is not its key as display kind 2");  // "Apple"
  ExpectCorrupt(With<char>(o_.displays + 9, 'h'), "display of word 5 is not its key as display kind 2");
  EXPECT_TRUE(View(With<uint8_t>(o_.kinds + 4, 1)).ok());  // "The" is "the" so derived: kind 1 holds too
  // Display bytes that no pair owns.
  std::string bare;
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, "the\t100\n", "", 2, &bare).ok());
  const uint32_t eight = 8;
  std::memcpy(&bare[28], &eight, 4);
  bare += std::string(8, 'a');
  const Status st = View(bare);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("display bytes without displays"), std::string::npos) << st.message();
}

// Counts are u32: the builder refuses a kept word's count above 2^32 - 1
// (saturating would break the tail's order and shares) and keeps 2^32 - 1.
TEST_F(LexiconSectionChecks, CountsAbove32BitsAreRefused) {
  std::string out;
  Status st = BuildLexiconSection(VocabRef::Of(vocab_), 3, "the\t4294967296\n", "", 2, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("'the'"), std::string::npos) << st.message();
  st = BuildLexiconSection(VocabRef::Of(vocab_), 3, "apple\t4294967290\napple\t6\n", "", 2, &out);  // summed
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("'apple'"), std::string::npos) << st.message();
  Lexicon lex;
  ASSERT_TRUE(lex.Build(vocab_, 3, "the\t4294967295\napple\t4294967295\n", "", 2).ok());
  EXPECT_EQ(lex.word(static_cast<size_t>(lex.Find("the"))).count, 4294967295u);
  EXPECT_EQ(lex.count(static_cast<size_t>(lex.Find("apple"))), 4294967295u);
  EXPECT_EQ(lex.tail_total(), 4294967295u);
}

TEST_F(LexiconSectionChecks, VocabularyIds) {
  // Words: 0 apple, 1 fig, 2 pear, 3 rare (id 4), 4 the (id 3), 5 thermal.
  ExpectCorrupt(With<int32_t>(o_.vocab_ids + 4 * 0, 99), "vocabulary id of word 0");
  ExpectCorrupt(With<int32_t>(o_.vocab_ids + 4 * 0, -2), "vocabulary id of word 0");
  ExpectCorrupt(With<int32_t>(o_.vocab_ids + 4 * 0, 2), "vocabulary id of word 0");  // a special's id
  ExpectCorrupt(With<int32_t>(o_.vocab_ids + 4 * 3, 3), "vocabulary id of word 3");  // by_vocab[3] is word 4
  ExpectCorrupt(With<int32_t>(o_.by_vocab + 4 * 0, 1), "vocabulary token 0");        // <unk> mapped to a word
  ExpectCorrupt(With<int32_t>(o_.by_vocab + 4 * 3, -1), "vocabulary id of word 4");
  ExpectCorrupt(With<int32_t>(o_.by_vocab + 4 * 4, 77), "vocabulary id of word 3");
  // The vocabulary's token is not the key its word has.
  std::vector<std::string> other = vocab_;
  other[4] = "rarf";
  const Status st = View(good_, &other);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("vocabulary token 4"), std::string::npos) << st.message();
}

TEST_F(LexiconSectionChecks, TheTail) {
  // tail_by_count: apple(5) thermal(4) fig(3) pear(3) = 0 5 1 2.
  ASSERT_EQ(At<int32_t>(o_.tail), 0);
  ASSERT_EQ(At<int32_t>(o_.tail + 4), 5);
  ExpectCorrupt(With<int32_t>(o_.tail, 6), "tail entry 0 is not a tail word");
  ExpectCorrupt(With<int32_t>(o_.tail, -1), "tail entry 0 is not a tail word");
  ExpectCorrupt(With<int32_t>(o_.tail, 4), "tail entry 0 is not a tail word");  // "the", a vocabulary word
  ExpectCorrupt(With<int32_t>(o_.tail + 8, 2), "tail not ordered by count at entry 3");  // pear twice
  {
    std::string b = With<int32_t>(o_.tail + 8, 2);
    std::memcpy(&b[o_.tail + 12], "\x01\0\0\0", 4);  // fig after pear: a tie out of index order
    const Status st = View(b);
    EXPECT_NE(st.message().find("tail not ordered by count at entry 3"), std::string::npos) << st.message();
  }
  ExpectCorrupt(With<uint32_t>(o_.counts + 4 * 1, 1), "tail word 1 has a count below min_count");
  ExpectCorrupt(With<uint64_t>(40, 16), "tail_total");
  ExpectCorrupt(With<float>(o_.log_tails, std::numeric_limits<float>::quiet_NaN()), "log_tail of word 0");
  ExpectCorrupt(With<float>(o_.log_tails, 0.5f), "log_tail of word 0");
  ExpectCorrupt(With<float>(o_.log_tails + 4 * 4, -1.0f), "log_tail of vocabulary word 4");
  ExpectCorrupt(With<uint32_t>(16, 5), "where its counts make");  // num_tail: the array's size
}

// Version 3: one `refs` array (an LM id, or a tail word's log share with its
// sign bit set) where version 2 has vocab_ids and log_tails.
TEST_F(LexiconSectionChecks, Version3Refs) {
  std::string v3;
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, "the\t100\nrare\t0\napple\t5\npear\t3\nfig\t3\nthermal\t4\n",
                                  "apple\t^\nthe\tThe\nthermal\t^^\nfig\tfig\n", 2, &v3, 3)
                  .ok());
  EXPECT_EQ(v3.size(), good_.size() - Up8(4 * n_));  // one array of n words fewer
  Lexicon a, b;
  std::vector<uint64_t> abuf(good_.size() / 8), bbuf(v3.size() / 8);
  std::memcpy(abuf.data(), good_.data(), good_.size());
  std::memcpy(bbuf.data(), v3.data(), v3.size());
  ASSERT_TRUE(a.ViewSection(reinterpret_cast<const uint8_t*>(abuf.data()), good_.size(), VocabRef::Of(vocab_), 3).ok());
  ASSERT_TRUE(b.ViewSection(reinterpret_cast<const uint8_t*>(bbuf.data()), v3.size(), VocabRef::Of(vocab_), 3).ok());
  EXPECT_EQ(a.version(), 2u);
  EXPECT_EQ(b.version(), 3u);
  EXPECT_TRUE(a.refs() == nullptr && a.vocab_ids() && a.log_tails());
  EXPECT_TRUE(b.refs() && b.vocab_ids() == nullptr && b.log_tails() == nullptr);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.word(i).key, b.word(i).key);
    EXPECT_EQ(a.word(i).display, b.word(i).display);
    EXPECT_EQ(a.word(i).count, b.word(i).count);
    EXPECT_EQ(a.vocab_id(i), b.vocab_id(i)) << i;
    EXPECT_EQ(a.log_tail(i), b.log_tail(i)) << i;
    EXPECT_EQ(b.refs()[i] >= 0 ? b.refs()[i] : -1, a.vocab_ids()[i]) << i;
    if (b.refs()[i] < 0) EXPECT_EQ(Lexicon::TailOfRef(b.refs()[i]), a.log_tails()[i]) << i;
  }
  std::string lexicon, surface, again;
  b.RenderText(&lexicon, &surface);
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, lexicon, surface, 2, &again, 3).ok());
  EXPECT_TRUE(again == v3);
  EXPECT_EQ(BuildLexiconSection(VocabRef::Of(vocab_), 3, "", "", 2, &again, 5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildLexiconSection(VocabRef::Of(vocab_), 3, "", "", 2, &again, 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Lexicon::TailOfRef(Lexicon::RefOfTail(0.0f)), 0.0f);  // -0: a share of 1
  EXPECT_LT(Lexicon::RefOfTail(0.0f), 0);
  EXPECT_EQ(Lexicon::TailOfRef(Lexicon::RefOfTail(-3.25f)), -3.25f);

  // The checks, on the refs (at the offset of version 2's vocab_ids; by_vocab
  // and the rest one array earlier). Words: 0 apple, 1 fig, 2 pear, 3 rare
  // (id 4), 4 the (id 3), 5 thermal.
  const size_t refs = o_.vocab_ids, by_vocab = o_.log_tails;
  auto corrupt = [&](size_t at, int32_t value, const std::string& message) {
    std::string bytes = v3;
    std::memcpy(&bytes[at], &value, 4);
    const Status st = View(bytes);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << message << ": " << st.ToString();
    EXPECT_NE(st.message().find(message), std::string::npos) << st.message();
  };
  corrupt(refs + 4 * 0, 99, "vocabulary id of word 0");
  corrupt(refs + 4 * 0, 2, "vocabulary id of word 0");                 // a special's id
  corrupt(refs + 4 * 3, 3, "vocabulary id of word 3");                 // by_vocab[3] is word 4
  corrupt(refs + 4 * 0, -1, "log_tail of word 0 out of range");        // the bits of a NaN
  corrupt(refs + 4 * 4, Lexicon::RefOfTail(-1.0f), "vocabulary token 3");  // the: a tail word now
  corrupt(by_vocab + 4 * 4, 77, "vocabulary id of word 3");
  {
    std::string bytes = v3;
    const int32_t tail_share = Lexicon::RefOfTail(-1.0f);
    std::memcpy(&bytes[refs + 4 * 3], &tail_share, 4);  // rare a tail word: counts no longer agree
    EXPECT_EQ(View(bytes).code(), StatusCode::kCorruption);
  }
}

// Version 4: 16-bit key offsets from a u32 base per block of
// kLexiconKeyBlock words, and only the kLexiconTailTop most frequent tail
// words listed; the same lexicon otherwise, and every new rule checked.
TEST_F(LexiconSectionChecks, Version4BlocksAndTailTop) {
  // 300 tail words w000..w299 (counts 2..51, many ties) and the vocabulary's
  // two: 302 words, 5 key blocks.
  std::string tsv = "the\t100\nrare\t0\n";
  for (int i = 0; i < 300; ++i) {
    char key[8];
    std::snprintf(key, sizeof key, "w%03d", i);
    tsv += std::string(key) + "\t" + std::to_string(2 + (i * 7) % 50) + "\n";
  }
  std::string v2, v4;
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, tsv, "the\tThe\n", 2, &v2, 2).ok());
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, tsv, "the\tThe\n", 2, &v4, 4).ok());
  const size_t n = 302;
  std::vector<uint64_t> abuf(v2.size() / 8), bbuf(v4.size() / 8);
  std::memcpy(abuf.data(), v2.data(), v2.size());
  std::memcpy(bbuf.data(), v4.data(), v4.size());
  Lexicon a, b;
  ASSERT_TRUE(a.ViewSection(reinterpret_cast<const uint8_t*>(abuf.data()), v2.size(), VocabRef::Of(vocab_), 3).ok());
  ASSERT_TRUE(b.ViewSection(reinterpret_cast<const uint8_t*>(bbuf.data()), v4.size(), VocabRef::Of(vocab_), 3).ok());
  EXPECT_EQ(b.version(), 4u);
  ASSERT_EQ(a.size(), n);
  ASSERT_EQ(b.size(), n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(a.key(i), b.key(i)) << i;
    EXPECT_EQ(a.key_start(i), b.key_start(i)) << i;
    EXPECT_EQ(a.word(i).display, b.word(i).display) << i;
    EXPECT_EQ(a.count(i), b.count(i)) << i;
    EXPECT_EQ(a.vocab_id(i), b.vocab_id(i)) << i;
    EXPECT_EQ(a.log_tail(i), b.log_tail(i)) << i;
    EXPECT_EQ(a.lcp_next(i), b.lcp_next(i)) << i;
  }
  EXPECT_EQ(a.key_start(n), b.key_start(n));
  EXPECT_EQ(a.num_tail(), 300u);
  EXPECT_EQ(b.num_tail(), 300u);
  EXPECT_EQ(a.tail_by_count().size(), 300u);
  ASSERT_EQ(b.tail_by_count().size(), kLexiconTailTop);
  EXPECT_TRUE(std::equal(b.tail_by_count().begin(), b.tail_by_count().end(), a.tail_by_count().begin()));
  EXPECT_EQ(a.tail_total(), b.tail_total());
  for (const char* prefix : {"w", "w1", "w29", "the", "x"}) {
    size_t alo, ahi, blo, bhi;
    a.PrefixRange(prefix, 0, n, &alo, &ahi);
    b.PrefixRange(prefix, 0, n, &blo, &bhi);
    EXPECT_EQ(alo, blo) << prefix;
    EXPECT_EQ(ahi, bhi) << prefix;
  }
  EXPECT_EQ(b.Find("w123"), a.Find("w123"));
  // One array of n fewer (refs for vocab_ids and log_tails, as version 3), 2
  // bytes a word less for the offsets (less the bases), 44 tail entries fewer.
  EXPECT_EQ(v2.size() - v4.size(), Up8(4 * n) + Up8(4 * (n + 1)) + Up8(4 * 300) - Up8(2 * (n + 1)) -
                                       Up8(4 * (n / kLexiconKeyBlock + 1)) - Up8(4 * kLexiconTailTop));
  // Its text builds the same bytes again.
  std::string lexicon, surface, again;
  b.RenderText(&lexicon, &surface);
  ASSERT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, lexicon, surface, 2, &again, 4).ok());
  EXPECT_TRUE(again == v4);

  // Layout of version 4 (docs/format.md): counts, key_bases, 16-bit
  // key_offsets, refs, by_vocab (5), tail (256), display_pairs (1), lcp,
  // display_kind, keys, displays.
  const size_t bases = 64 + Up8(4 * n), offsets = bases + Up8(4 * (n / kLexiconKeyBlock + 1));
  const size_t refs = offsets + Up8(2 * (n + 1)), by_vocab = refs + Up8(4 * n), tail = by_vocab + Up8(4 * 5);
  auto corrupt = [&](size_t at, const void* value, size_t bytes, const std::string& message) {
    std::string c = v4;
    std::memcpy(&c[at], value, bytes);
    const Status st = View(c);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << message << ": " << st.ToString();
    EXPECT_NE(st.message().find(message), std::string::npos) << st.message();
  };
  const uint16_t one16 = 1;
  corrupt(offsets + 2 * 64, &one16, 2, "the key offset of word 64, first of its block, is not 0");
  uint16_t off4;
  std::memcpy(&off4, &v4[offsets + 2 * 4], 2);
  corrupt(offsets + 2 * 5, &off4, 2, "key offsets not increasing at word 4");
  uint32_t base1;
  std::memcpy(&base1, &v4[bases + 4], 4);
  const uint32_t far = base1 + 100000;
  corrupt(bases + 4, &far, 4, "key offsets not increasing at word 63");
  const uint32_t huge = 0xFFFFFFFFu;
  corrupt(bases + 4 * (n / kLexiconKeyBlock), &huge, 4, "key offsets do not span the key bytes");
  // The list's last entry replaced by a word further down the tail: still in
  // order, but not the tail's top.
  const int32_t lower = a.tail_by_count()[280];
  corrupt(tail + 4 * (kLexiconTailTop - 1), &lower, 4, "the tail's list is not its most frequent words");
  const int32_t vocab_word = a.Find("the");
  corrupt(tail + 4 * 10, &vocab_word, 4, "tail entry 10 is not a tail word");
  // An unlisted tail word under min_count: the list no longer bounds it.
  const uint32_t low = 1;
  corrupt(64 + 4 * static_cast<size_t>(a.tail_by_count()[290]), &low, 4, "has a count below min_count");
  const uint64_t total = a.tail_total() + 1;
  corrupt(40, &total, 8, "tail_total");

  // Keys that a 16-bit offset cannot reach from their block's start: a
  // version-4 build is refused (version 3 takes them).
  std::string long_keys;
  for (int i = 0; i < 70; ++i) long_keys += std::string(1100, static_cast<char>('a' + i % 26)) + std::to_string(i) + "\t5\n";
  std::string out;
  const Status refused = BuildLexiconSection(VocabRef::Of(vocab_), 3, long_keys, "", 2, &out, 4);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument) << refused.ToString();
  EXPECT_NE(refused.message().find("16-bit key offsets"), std::string::npos) << refused.message();
  EXPECT_TRUE(BuildLexiconSection(VocabRef::Of(vocab_), 3, long_keys, "", 2, &out, 3).ok());
}

TEST(EmojiSectionChecks, EveryRule) {
  std::string good;
  ASSERT_TRUE(BuildEmojiSection("A\tlove\nB\tlove\nW\tworld\n", &good).ok());
  // Layout: header 32, keyword_offsets 3 x u32 (at 32), list_offsets (at 48), emoji_offsets 4 x u32 (at 64),
  // keywords "loveworld" (at 80), emoji "ABW" (at 96); 104 bytes.
  ASSERT_EQ(good.size(), 104u);
  std::vector<uint64_t> buf(16);
  auto view = [&buf](const std::string& b) {
    std::memcpy(buf.data(), b.data(), std::min<size_t>(b.size(), 128));
    EmojiTable t;
    return t.ViewSection(reinterpret_cast<const uint8_t*>(buf.data()), b.size());
  };
  ASSERT_TRUE(view(good).ok());
  auto with = [&good](size_t at, uint32_t v) {
    std::string b = good;
    std::memcpy(&b[at], &v, 4);
    return b;
  };
  auto expect = [&view](const std::string& b, const std::string& message) {
    const Status st = view(b);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << message;
    EXPECT_NE(st.message().find(message), std::string::npos) << st.message();
  };
  expect(good.substr(0, 31), "fewer than its 32-byte header");
  expect(good.substr(0, 96), "where its counts make");
  expect(with(0, 1), "bad magic");
  expect(with(4, 9), "version 9");
  expect(with(24, 1), "reserved");
  expect(with(32, 1), "keyword offsets do not span");
  expect(with(36, 0), "keyword offsets not increasing at keyword 0");
  expect(with(36, 5000), "keyword offsets not increasing at keyword 0");  // past the blob
  expect(with(68, 5000), "emoji offsets not increasing at entry 0");
  expect(with(52, 0), "keyword 0 has no emoji");
  expect(with(56, 2), "list offsets do not span");
  expect(with(68, 0), "emoji offsets not increasing at entry 0");
  expect(with(76, 2), "emoji offsets do not span");
  {
    std::string b = good;
    b[80] = 'x';  // "xove" sorts after "world"
    expect(b, "keywords not sorted at keyword 1");
  }
  {
    std::string b = good;
    b[96] = '\xff';
    expect(b, "emoji entry 0 is not UTF-8");
  }
  // Five emoji for one keyword, more than kMaxPerKeyword: list_offsets
  // [0, 4, 5] of "A".."D" love, "W" world made [0, 5, 5].
  std::string five;
  ASSERT_TRUE(BuildEmojiSection("A\tlove\nB\tlove\nC\tlove\nD\tlove\nW\tworld\n", &five).ok());
  ASSERT_TRUE(view(five).ok());
  uint32_t lo[3];
  std::memcpy(lo, &five[48], 12);
  ASSERT_EQ(lo[1], 4u);
  lo[1] = 5;
  std::memcpy(&five[48], lo, 12);
  expect(five, "keyword 0 has no emoji or more than 4");
}

}  // namespace
}  // namespace engine
}  // namespace hunch
