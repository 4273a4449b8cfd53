#include "hunch/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <cmath>
#include <string>
#include <vector>

#include "builder/lm_builder.h"
#include "testing/op_test_util.h"
#include "hunch/interpreter.h"

namespace hunch {
namespace {

// A small LM whose output bias makes the listed words likely in that order,
// whatever the context (the random recurrent weights add a little context
// dependence).
const std::vector<std::string> kVocab = {"<unk>", "<s>",  "</s>",  "the",  "they",  "then", "there", "hello",
                                         "help",  "i",    "don't", "world", ".",    ",",     "love", "to",
                                         "you",   "will", "see",   "tomorrow"};
// The real tokenizer settings (train/tokenizer.py), with this vocabulary's size.
std::string Settings() {
  const std::string here = __FILE__;
  const std::string path = here.substr(0, here.find_last_of('/') + 1) + "../text/testdata/tokenizer.json";
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  const std::string key = "\"vocab_size\": 2000";
  size_t at = s.find(key);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) s.replace(at, key.size(), "\"vocab_size\": 20");
  return s;
}

struct TestModel {
  std::vector<uint8_t> bytes;
  std::shared_ptr<const Model> model;
};

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& t : v) s += t + "\n";
  s.pop_back();
  return s;
}

std::shared_ptr<const Engine> MakeEngine(const EngineOptions& opts = {}, bool with_metadata = true,
                                         std::vector<uint8_t>* keep = nullptr, const std::string& more_emoji = "") {
  LmConfig c;
  c.vocab = static_cast<int>(kVocab.size());
  c.embed = 8;
  c.units = 12;
  c.proj = 8;
  c.seed = 3;
  // Likelihood order: the > to > you > i > they > then > there > ...
  c.output_bias.assign(kVocab.size(), 0.0f);
  const std::vector<std::pair<std::string, float>> bias = {
      {"the", 6}, {"to", 5}, {"you", 4.5}, {"i", 4}, {"they", 3.5}, {"then", 3}, {"there", 2.5}, {"hello", 1},
      {"don't", 1}, {"love", 1}, {"<unk>", 2}};
  for (const auto& b : bias) {
    auto it = std::find(kVocab.begin(), kVocab.end(), b.first);
    c.output_bias[it - kVocab.begin()] = b.second;
  }
  if (with_metadata) {
    c.metadata = {{"vocab", Join(kVocab)},
                  {"tokenizer", Settings()},
                  {"lexicon", "the\t1000\nthey\t300\nthen\t200\nthere\t150\nhello\t50\nhelp\t40\ni\t500\n"
                              "don't\t30\nworld\t20\nthermometer\t50\nthermal\t5\nhelicopter\t3\nrare\t1\n"},
                  {"surface", "i\tI\n"},
                  {"emoji", "\xe2\x9d\xa4\xef\xb8\x8f\tlove\n\xf0\x9f\x8c\x8d\tworld\n" + more_emoji}};
  }
  std::vector<uint8_t> bytes = BuildRandomLm(c);
  std::shared_ptr<const Model> model;
  Status st = testing::OpenModelBytes(bytes, &model);
  EXPECT_TRUE(st.ok()) << st.ToString();
  if (keep) *keep = bytes;
  std::shared_ptr<const Engine> engine;
  st = Engine::FromModel(model, opts, &engine);
  if (with_metadata) EXPECT_TRUE(st.ok()) << st.ToString();
  return engine;
}

std::vector<std::string> Texts(const std::vector<Suggestion>& v) {
  std::vector<std::string> r;
  for (const auto& s : v) r.push_back(s.text);
  return r;
}

std::vector<Suggestion> Suggest(Session* s, const std::string& context, const std::string& typed, int n = 3,
                                bool complete = false) {
  SuggestRequest r;
  r.context = context;
  r.typed = typed;
  r.max_suggestions = n;
  r.complete = complete;
  std::vector<Suggestion> out;
  Status st = s->Suggest(r, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = MakeEngine();
    ASSERT_TRUE(engine_);
    ASSERT_TRUE(engine_->NewSession(&session_).ok());
  }
  std::shared_ptr<const Engine> engine_;
  std::unique_ptr<Session> session_;
};

TEST_F(EngineTest, LexiconHoldsVocabularyAndTail) {
  EXPECT_EQ(engine_->vocab_size(), 20);
  // 17 vocabulary words + thermometer, thermal, helicopter ("rare" is below min_word_count 2).
  EXPECT_EQ(engine_->lexicon_size(), 20u);
}

TEST_F(EngineTest, CompletionsStartWithTheTypedPrefix) {
  auto out = Suggest(session_.get(), "hello", "th");
  ASSERT_EQ(out.size(), 3u);
  for (const auto& s : out) {
    EXPECT_EQ(s.text.compare(0, 2, "th"), 0) << s.text;
    EXPECT_EQ(s.kind, SuggestionKind::kCompletion);
  }
  // "the" is the likeliest th-word; "th" itself is never offered.
  EXPECT_EQ(out[0].text, "the");
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LE(out[i].score, out[i - 1].score);
}

TEST_F(EngineTest, LongTailWordsAreReachable) {
  auto out = Suggest(session_.get(), "the", "thermo");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "thermometer");
}

TEST_F(EngineTest, NextWordIsCapitalizedAtSentenceStart) {
  auto out = Suggest(session_.get(), "", "");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].text, "The");
  EXPECT_EQ(out[0].kind, SuggestionKind::kNextWord);
  out = Suggest(session_.get(), "hello world .", "");
  EXPECT_EQ(out[0].text, "The");
  out = Suggest(session_.get(), "hello world", "");
  EXPECT_EQ(out[0].text, "the");
  // No special tokens, ever.
  for (const auto& s : Suggest(session_.get(), "hello", "", 16))
    EXPECT_TRUE(s.text != "<unk>" && s.text != "<s>" && s.text != "</s>") << s.text;
}

TEST_F(EngineTest, SurfaceFormsAndTypedCaseAreApplied) {
  auto texts = Texts(Suggest(session_.get(), "hello", "", 5));
  EXPECT_NE(std::find(texts.begin(), texts.end(), "I"), texts.end());
  session_->Reset();  // else "the", shown for "", counts as passed over
  auto out = Suggest(session_.get(), "hello", "Th");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "The");
  out = Suggest(session_.get(), "hello", "THE", 3, true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "THE");
}

TEST_F(EngineTest, CorrectsNeighbourKeyTyposWithAutocorrect) {
  auto out = Suggest(session_.get(), "hello", "tge", 3, true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "the");
  EXPECT_EQ(out[0].kind, SuggestionKind::kCorrection);
  EXPECT_TRUE(out[0].autocorrect);
  // A correctly typed likely word is kept and not autocorrected.
  out = Suggest(session_.get(), "hello", "the", 3, true);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "the");
  EXPECT_EQ(out[0].kind, SuggestionKind::kLiteral);
  EXPECT_FALSE(out[0].autocorrect);
}

TEST_F(EngineTest, TransposedAndOmittedLetters) {
  EXPECT_EQ(Suggest(session_.get(), "hello", "teh", 3, true)[0].text, "the");
  EXPECT_EQ(Suggest(session_.get(), "hello", "thermometr", 3, true)[0].text, "thermometer");
  EXPECT_EQ(Suggest(session_.get(), "hello", "dont", 3, true)[0].text, "don't");
}

TEST_F(EngineTest, TouchesDriveCorrection) {
  // Touches near t, h, e but the middle one nearer 'g' (x 5.0, y 1.5 is g's centre).
  SuggestRequest r;
  r.context = "hello";
  r.typed = "tge";
  r.complete = true;
  r.touches = {{4.5f, 0.5f}, {5.4f, 1.5f}, {2.5f, 0.5f}};
  std::vector<Suggestion> out;
  ASSERT_TRUE(session_->Suggest(r, &out).ok());
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "the");
  // One touch per character, or an error.
  r.touches.pop_back();
  Status st = session_->Suggest(r, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("one touch per typed character"), std::string::npos);
}

TEST_F(EngineTest, PassedOverSuggestionsMakeWay) {
  auto first = Texts(Suggest(session_.get(), "hello", "t", 2));
  ASSERT_EQ(first.size(), 2u);
  auto second = Texts(Suggest(session_.get(), "hello", "th", 2));
  ASSERT_EQ(second.size(), 2u);
  // The likeliest completion of "th" stays (the user may be typing toward
  // it); the other word shown for "t" makes way.
  std::unique_ptr<Session> fresh;
  ASSERT_TRUE(engine_->NewSession(&fresh).ok());
  const std::string likeliest = Texts(Suggest(fresh.get(), "hello", "th", 1))[0];
  EXPECT_EQ(second[0], likeliest);
  for (size_t i = 1; i < second.size(); ++i) EXPECT_EQ(std::count(first.begin(), first.end(), second[i]), 0) << second[i];
  // A different context starts afresh.
  auto third = Texts(Suggest(session_.get(), "hello world", "th", 2));
  EXPECT_EQ(third[0], "the");
}

TEST_F(EngineTest, NoDuplicates) {
  for (const char* typed : {"", "t", "th", "he"}) {
    auto texts = Texts(Suggest(session_.get(), "hello", typed, 16));
    std::vector<std::string> sorted = texts;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << typed;
  }
}

TEST_F(EngineTest, EmojiForKeywords) {
  auto out = Suggest(session_.get(), "i", "love", 3, true);
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out[0].text, "love");
  EXPECT_EQ(out.back().kind, SuggestionKind::kEmoji);
  EXPECT_EQ(out.back().text, "\xe2\x9d\xa4\xef\xb8\x8f");
}

// While a keyword is typed, its emoji takes a free slot, or the last one
// when the keyword as a finished word is likelier than that suggestion; it
// never pushes out a likelier completion.
TEST(EngineEmojiTest, EmojiTakesTheLastSlotOnlyFromALessLikelySuggestion) {
  const std::string fire = "\xf0\x9f\x94\xa5", copter = "\xf0\x9f\x9a\x81";
  std::shared_ptr<const Engine> engine = MakeEngine({}, true, nullptr, fire + "\tthe\n" + copter + "\thel\n");
  ASSERT_TRUE(engine);
  std::unique_ptr<Session> session;
  ASSERT_TRUE(engine->NewSession(&session).ok());
  // "the" (the likeliest word) beats its completions they, then, there.
  auto out = Suggest(session.get(), "hello", "the", 3);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.back().kind, SuggestionKind::kEmoji);
  EXPECT_EQ(out.back().text, fire);
  EXPECT_EQ(out[0].kind, SuggestionKind::kCompletion);
  // "hel" is no word: hello, help keep both slots.
  session->Reset();
  out = Suggest(session.get(), "hello", "hel", 2);
  ASSERT_EQ(out.size(), 2u);
  for (const auto& s : out) EXPECT_NE(s.kind, SuggestionKind::kEmoji) << s.text;
  // A free slot takes it whatever its score.
  session->Reset();
  out = Suggest(session.get(), "hello", "hel", 16);
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().kind, SuggestionKind::kEmoji);
  EXPECT_EQ(out.back().text, copter);
}

TEST_F(EngineTest, ScoresMatchStepwiseInterpreterRuns) {
  // The engine's cached states must give exactly what stepping the LM from
  // <s> gives, also after going back (backspace) and forward again (the
  // context cache off: its share is tested in word_scores_test.cc).
  EngineOptions no_cache;
  no_cache.cache_weight = 0;
  engine_ = MakeEngine(no_cache);
  ASSERT_TRUE(engine_->NewSession(&session_).ok());
  std::unique_ptr<Interpreter> lm;
  ASSERT_TRUE(Interpreter::Create(std::shared_ptr<const Model>(engine_, &engine_->model()), {}, &lm).ok());
  auto reference = [&](const std::vector<int32_t>& ids, int32_t next) {
    lm->ResetState();
    for (int32_t id : ids) {
      *lm->input_data<int32_t>(0) = id;
      EXPECT_TRUE(lm->Invoke().ok());
    }
    return lm->output_data<float>(0)[next];
  };
  float lp;
  bool in_vocab;
  for (const char* ctx : {"hello world", "hello", "hello world the", "", "hello world"}) {
    ASSERT_TRUE(session_->ScoreNextToken(ctx, "they", &lp, &in_vocab).ok());
    EXPECT_TRUE(in_vocab);
    std::vector<int32_t> ids = {1};
    std::string c = ctx;
    size_t a = 0;
    while (a < c.size()) {
      size_t b = c.find(' ', a);
      if (b == std::string::npos) b = c.size();
      ids.push_back(static_cast<int32_t>(std::find(kVocab.begin(), kVocab.end(), c.substr(a, b - a)) - kVocab.begin()));
      a = b + 1;
    }
    EXPECT_FLOAT_EQ(lp, reference(ids, 4)) << ctx;
  }
  // Outside the vocabulary: P(<unk>) times the tail share (thermometer: 50 of 58).
  ASSERT_TRUE(session_->ScoreNextToken("hello", "thermometer", &lp, &in_vocab).ok());
  EXPECT_FALSE(in_vocab);
  EXPECT_NEAR(lp, reference({1, 7}, 0) + std::log(50.0f / 58.0f), 1e-4);
}

TEST_F(EngineTest, LongContextsUseAWindow) {
  std::string ctx;
  for (int i = 0; i < 300; ++i) ctx += (i % 2) ? " world" : " hello";
  auto out = Suggest(session_.get(), ctx, "th");
  EXPECT_EQ(out.size(), 3u);
  // Only the last line counts.
  float a, b;
  bool v;
  ASSERT_TRUE(session_->ScoreNextToken(ctx + "\nhello", "the", &a, &v).ok());
  ASSERT_TRUE(session_->ScoreNextToken("hello", "the", &b, &v).ok());
  EXPECT_FLOAT_EQ(a, b);
}

TEST_F(EngineTest, LearnsUserWordsAndSavesThem) {
  ASSERT_TRUE(session_->Learn("hello hunchy world\nhello hunchy").ok());
  auto out = Suggest(session_.get(), "hello", "hun");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].text, "hunchy");
  ASSERT_TRUE(session_->LearnWord("hello", "hunchy").ok());
  std::string saved = session_->user_model()->Export();
  std::unique_ptr<Session> other;
  ASSERT_TRUE(engine_->NewSession(&other).ok());
  ASSERT_TRUE(other->user_model()->Import(saved).ok());
  EXPECT_EQ(Suggest(other.get(), "hello", "hun")[0].text, "hunchy");
  EXPECT_EQ(other->user_model()->Import("garbage").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other->user_model()->Import("hunch-user-model 1\nu\tx\n").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other->user_model()->Import("hunch-user-model 1\nu\tx\t12a\n").code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(session_->LearnWord("hello", "").ok());
}

TEST_F(EngineTest, BadRequestsAreErrors) {
  std::vector<Suggestion> out;
  SuggestRequest r;
  r.max_suggestions = 0;
  EXPECT_EQ(session_->Suggest(r, &out).code(), StatusCode::kInvalidArgument);
  r.max_suggestions = 3;
  r.typed = std::string(300, 'a');
  EXPECT_EQ(session_->Suggest(r, &out).code(), StatusCode::kInvalidArgument);
  r.typed = "ab";
  r.touches = {{NAN, 0}, {1, 1}};
  EXPECT_EQ(session_->Suggest(r, &out).code(), StatusCode::kInvalidArgument);
  // One touch per typed code point, even where lower-casing changes the count
  // (U+0130 lower-cases to two code points).
  r.typed = "\xc4\xb0s";
  r.touches = {{7.5f, 0.5f}, {2.0f, 1.5f}};
  EXPECT_TRUE(session_->Suggest(r, &out).ok());
  // Invalid UTF-8 is tolerated.
  r.touches.clear();
  r.typed = "\xff\xfe";
  r.context = "hello \xc3";
  EXPECT_TRUE(session_->Suggest(r, &out).ok());
}

TEST(EngineOpenTest, ModelWithoutMetadataIsRejected) {
  std::shared_ptr<const Engine> engine = MakeEngine({}, false);
  EXPECT_FALSE(engine);
  LmConfig c;
  c.vocab = 20;
  c.embed = 8;
  c.units = 8;
  c.proj = 0;
  std::shared_ptr<const Model> model;
  ASSERT_TRUE(testing::OpenModelBytes(BuildRandomLm(c), &model).ok());
  Status st = Engine::FromModel(model, {}, &engine);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("metadata"), std::string::npos);
  EngineOptions bad;
  bad.touch_sigma = 0;
  EXPECT_EQ(Engine::FromModel(model, bad, &engine).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Engine::Open("/nonexistent/model.hunch", {}, &engine).code(), StatusCode::kNotFound);
}

TEST(KeyboardLayoutTest, QwertyAndJson) {
  KeyboardLayout q = KeyboardLayout::Qwerty();
  ASSERT_GE(q.FindKey('g'), 0);
  const Key& g = q.keys()[q.FindKey('G')];
  EXPECT_FLOAT_EQ(g.x + g.width / 2, 5.0f);
  EXPECT_FLOAT_EQ(g.y + g.height / 2, 1.5f);
  KeyboardLayout l;
  ASSERT_TRUE(KeyboardLayout::FromJson(
                  "{\"name\":\"ab\",\"keys\":[{\"label\":\"A\",\"x\":0,\"y\":0,\"w\":40,\"h\":60},"
                  "{\"label\":\"b\",\"x\":40,\"y\":0,\"w\":40,\"h\":60}]}",
                  &l)
                  .ok());
  EXPECT_EQ(l.name(), "ab");
  EXPECT_EQ(l.FindKey('a'), 0);
  EXPECT_FLOAT_EQ(l.key_width(), 40.0f);
  for (const char* bad :
       {"", "[]", "{\"keys\":[]}", "{\"keys\":[{\"label\":\"ab\",\"x\":0,\"y\":0,\"w\":1,\"h\":1}]}",
        "{\"keys\":[{\"label\":\"a\",\"x\":0,\"y\":0,\"w\":0,\"h\":1}]}",
        "{\"keys\":[{\"label\":\"a\",\"x\":0,\"y\":0,\"w\":1}]}",
        "{\"keys\":[{\"label\":\"a\",\"x\":0,\"y\":0,\"w\":1,\"h\":1},{\"label\":\"A\",\"x\":1,\"y\":0,\"w\":1,\"h\":1}]}"})
    EXPECT_EQ(KeyboardLayout::FromJson(bad, &l).code(), StatusCode::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace hunch
