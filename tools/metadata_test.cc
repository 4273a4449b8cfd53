// `hunch metadata` end to end: runs the built CLI (HUNCH_METADATA_CLI) on a
// copy of tests/testdata/tiny.hunch in a temporary folder.
#ifdef HUNCH_METADATA_CLI

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "builder/model_rewriter.h"
#include "engine/engine_impl.h"
#include "engine/model_sections.h"
#include "gtest/gtest.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "testing/cli_run.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

using testing::CliRun;
using testing::CountFiles;
using testing::Exists;
using testing::ReadAll;

CliRun RunCli(const std::string& args, bool with_stderr = true) {
  return testing::RunCommand(std::string(HUNCH_METADATA_CLI) + " metadata " + args, with_stderr);
}

void WriteAll(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::shared_ptr<const Model> Open(const std::string& path) {
  std::shared_ptr<const Model> m;
  Status s = Model::Open(path, {}, &m);
  EXPECT_TRUE(s.ok()) << path << ": " << s.ToString();
  return m;
}

// name -> bytes of every metadata section, in file order.
std::vector<std::pair<std::string, std::string>> Sections(const Model& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < m.num_metadata(); ++i) {
    const uint8_t* data = nullptr;
    size_t size = 0;
    EXPECT_TRUE(m.GetMetadata(m.metadata_name(i), &data, &size).ok());
    out.emplace_back(m.metadata_name(i), std::string(reinterpret_cast<const char*>(data), size));
  }
  return out;
}

class MetadataCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hunch_metadata_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    model_ = dir_ + "/tiny.hunch";
    original_ = ReadAll(testing::SourceRoot() + "tests/testdata/tiny.hunch");
    ASSERT_GT(original_.size(), 1000u);
    WriteAll(model_, original_);
    words_ = dir_ + "/offensive.txt";
    WriteAll(words_, "darn\nheck\n");
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  // tiny.hunch through the model rewriter with no change.
  std::string Rewritten() const {
    std::unique_ptr<ModelRewriter> rw;
    std::vector<uint8_t> bytes;
    EXPECT_TRUE(ModelRewriter::FromBytes(original_.data(), original_.size(), &rw).ok());
    if (rw) EXPECT_TRUE(rw->Finish(&bytes).ok());
    return std::string(bytes.begin(), bytes.end());
  }
  std::string dir_, model_, original_, words_;
};

TEST_F(MetadataCliTest, ListsSections) {
  CliRun r = RunCli(model_);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto m = Open(model_);
  ASSERT_TRUE(m);
  ASSERT_GT(m->num_metadata(), 2);
  for (const auto& s : Sections(*m)) {
    // "name   1,234" with the byte count as `hunch metadata` writes it
    std::string n = std::to_string(s.second.size()), grouped;
    for (size_t i = 0; i < n.size(); ++i) grouped += std::string(i && (n.size() - i) % 3 == 0 ? "," : "") + n[i];
    const size_t at = r.output.find("\n" + s.first + " ");
    ASSERT_NE(at, std::string::npos) << s.first << "\n" << r.output;
    const size_t eol = r.output.find('\n', at + 1);
    EXPECT_NE(r.output.substr(at, eol - at).find(" " + grouped), std::string::npos) << s.first << "\n" << r.output;
  }
  EXPECT_NE(r.output.find(std::to_string(m->num_metadata()) + " sections"), std::string::npos) << r.output;
  EXPECT_TRUE(ReadAll(model_) == original_);  // listing writes nothing
  EXPECT_EQ(CountFiles(dir_), 2);
}

TEST_F(MetadataCliTest, SetReadBackAndRemove) {
  const auto before = Open(model_);
  ASSERT_TRUE(before);
  ASSERT_EQ(Sections(*before).size(), static_cast<size_t>(before->num_metadata()));
  const std::string out = dir_ + "/out.hunch";
  CliRun r = RunCli(model_ + " --set offensive=" + words_ + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("added offensive (10 bytes"), std::string::npos) << r.output;

  // The new section holds the file's bytes; every other one is unchanged and in order.
  const auto after = Open(out);
  ASSERT_TRUE(after);
  auto expected = Sections(*before);
  auto got = Sections(*after);
  ASSERT_EQ(got.size(), expected.size() + 1);
  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_TRUE(after->GetMetadata("offensive", &data, &size).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "darn\nheck\n");
  for (auto it = got.begin(); it != got.end(); ++it)
    if (it->first == "offensive") {
      got.erase(it);
      break;
    }
  EXPECT_TRUE(got == expected);
  EXPECT_EQ(after->weight_bytes(), before->weight_bytes());
  EXPECT_TRUE(ReadAll(model_) == original_);  // the input is untouched
  // The engine opens it; --get prints the section.
  std::shared_ptr<const Engine> engine;
  Status s = Engine::Open(out, EngineOptions(), &engine);
  EXPECT_TRUE(s.ok()) << s.ToString();
  r = RunCli(out + " --get offensive", false);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.output, "darn\nheck\n");
  r = RunCli(out);
  EXPECT_NE(r.output.find("\noffensive "), std::string::npos) << r.output;

  // Removing it gives back the input as the rewriter writes it unchanged,
  // byte for byte (tiny.hunch itself may come from an older writer's layout).
  const std::string back = dir_ + "/back.hunch";
  r = RunCli(out + " --remove offensive --out " + back);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("removed offensive (10 bytes)"), std::string::npos) << r.output;
  EXPECT_TRUE(ReadAll(back) == Rewritten());
  EXPECT_EQ(CountFiles(dir_), 4);  // tiny, offensive.txt, out, back
}

TEST_F(MetadataCliTest, ReplacesAndRemovesInOneRun) {
  const auto before = Open(model_);
  ASSERT_TRUE(before);
  const std::string emoji = dir_ + "/emoji.tsv";
  WriteAll(emoji, "\xF0\x9F\x90\xB1\tcat");  // U+1F431
  const std::string out = dir_ + "/out.hunch";
  CliRun r = RunCli(model_ + " --set emoji=" + emoji + " --set=offensive=" + words_ + " --remove surface -o " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("replaced emoji ("), std::string::npos) << r.output;
  const auto after = Open(out);
  ASSERT_TRUE(after);
  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_TRUE(after->GetMetadata("emoji", &data, &size).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), size), "\xF0\x9F\x90\xB1\tcat");
  EXPECT_FALSE(after->GetMetadata("surface", &data, &size).ok());
  EXPECT_TRUE(after->GetMetadata("offensive", &data, &size).ok());
  EXPECT_EQ(after->num_metadata(), before->num_metadata());
}

// lexicon.bin and emoji.bin follow the text they are derived from through
// every rewrite, and cannot be set or removed by name.
TEST_F(MetadataCliTest, DerivedSectionsFollowTheirText) {
  ASSERT_TRUE(engine::CheckDerivedSections(*Open(model_)).ok());
  const std::string lexicon = dir_ + "/lexicon.tsv", emoji = dir_ + "/emoji.tsv", out = dir_ + "/out.hunch";
  WriteAll(lexicon, "zorblax\t40\nthe\t9\n");
  WriteAll(emoji, "\xF0\x9F\x90\xB1\tcat\n");
  CliRun r = RunCli(model_ + " --set lexicon=" + lexicon + " --set emoji=" + emoji + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("derived again lexicon.bin ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("derived again emoji.bin ("), std::string::npos) << r.output;
  auto m = Open(out);
  ASSERT_TRUE(m);
  EXPECT_TRUE(engine::CheckDerivedSections(*m).ok()) << engine::CheckDerivedSections(*m).ToString();
  std::shared_ptr<const Engine> e;
  ASSERT_TRUE(Engine::FromModel(m, {}, &e).ok());
  const Engine::Impl& im = internal::EngineAccess::Get(*e);
  EXPECT_EQ(im.lexicon.memory_bytes(), 0u);  // viewed in the file
  EXPECT_GE(im.lexicon.Find("zorblax"), 0);
  EXPECT_EQ(im.emoji.Find("cat").size(), 1u);

  // Removing the text drops what was derived from it.
  r = RunCli(out + " --remove emoji --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("removed emoji.bin (derived; its text is gone)"), std::string::npos) << r.output;
  m = Open(out);
  const uint8_t* data;
  size_t size;
  EXPECT_FALSE(m->GetMetadata("emoji.bin", &data, &size).ok());
  EXPECT_TRUE(m->GetMetadata("lexicon.bin", &data, &size).ok());

  // --derive adds them to a model without them, and changes nothing else.
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::FromBytes(original_.data(), original_.size(), &rw).ok());
  ASSERT_TRUE(rw->RemoveMetadata("lexicon.bin").ok());
  ASSERT_TRUE(rw->RemoveMetadata("emoji.bin").ok());
  const std::string bare = dir_ + "/bare.hunch";
  ASSERT_TRUE(rw->WriteFile(bare).ok());
  EXPECT_EQ(engine::CheckDerivedSections(*Open(bare)).code(), StatusCode::kCorruption);
  r = RunCli(bare + " --derive --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(ReadAll(out) == Rewritten());
  r = RunCli(out + " --derive --out " + out);  // nothing to do: the same bytes
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(ReadAll(out) == Rewritten());

  // By name: usage errors.
  r = RunCli(model_ + " --set lexicon.bin=" + lexicon + " --out " + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("derived from the text sections"), std::string::npos) << r.output;
  r = RunCli(model_ + " --remove emoji.bin --out " + out);
  EXPECT_EQ(r.code, 2);
}

std::string Section(const Model& m, const char* name) {
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!m.GetMetadata(name, &data, &size).ok()) return "<absent>";
  return std::string(reinterpret_cast<const char*>(data), size);
}

// --strip-text: the text sections leave, the binary ones stay byte for byte;
// --get renders the text back, rewrites keep the sections, --set of edited
// text derives them again, --restore-text writes the text back, and the
// engine answers as before.
TEST_F(MetadataCliTest, StripsAndRestoresTheText) {
  const std::string stripped = dir_ + "/stripped.hunch", out = dir_ + "/out.hunch";
  CliRun r = RunCli(model_ + " --strip-text --out " + stripped);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("stripped lexicon ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stripped surface ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stripped emoji ("), std::string::npos) << r.output;
  const auto full = Open(model_), bare = Open(stripped);
  ASSERT_TRUE(full && bare);
  for (const char* name : {"lexicon", "surface", "emoji"}) EXPECT_EQ(Section(*bare, name), "<absent>") << name;
  for (const char* name : {"lexicon.bin", "emoji.bin", "vocab", "tokenizer"})
    EXPECT_TRUE(Section(*bare, name) == Section(*full, name)) << name;
  EXPECT_LT(bare->file_bytes() + 100000, full->file_bytes());
  EXPECT_TRUE(engine::CheckDerivedSections(*bare).ok()) << engine::CheckDerivedSections(*bare).ToString();
  std::shared_ptr<const Engine> e;
  ASSERT_TRUE(Engine::FromModel(bare, {}, &e).ok());
  EXPECT_EQ(internal::EngineAccess::Get(*e).lexicon.memory_bytes(), 0u);

  // The listing and inspect say so; --get renders the text.
  r = RunCli(stripped);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("text stripped: lexicon surface emoji"), std::string::npos) << r.output;
  r = testing::RunCommand(std::string(HUNCH_METADATA_CLI) + " inspect " + stripped);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("text stripped (lexicon, surface rendered from this section"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("text stripped (emoji rendered"), std::string::npos) << r.output;
  engine::SourceTexts src;
  ASSERT_TRUE(engine::ReadSourceTexts(*bare, &src).ok());
  for (const char* name : {"lexicon", "surface", "emoji"}) {
    r = RunCli(stripped + " --get " + name, /*with_stderr=*/false);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_FALSE(r.output.empty()) << name;
    EXPECT_EQ(r.output, std::string(name) == "lexicon"   ? src.lexicon
                        : std::string(name) == "surface" ? src.surface
                                                         : src.emoji);
  }
  EXPECT_NE(src.lexicon.find("\n"), std::string::npos);

  // A rewrite keeps the sections (derived from the rendered text) and the form.
  r = RunCli(stripped + " --set offensive=" + words_ + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("derived"), std::string::npos) << r.output;
  auto m = Open(out);
  EXPECT_EQ(Section(*m, "lexicon"), "<absent>");
  EXPECT_TRUE(Section(*m, "lexicon.bin") == Section(*full, "lexicon.bin"));
  EXPECT_TRUE(Section(*m, "emoji.bin") == Section(*full, "emoji.bin"));

  // Edited rendered text, set and stripped again: the sections follow it.
  const std::string emoji = dir_ + "/emoji.tsv";
  WriteAll(emoji, src.emoji + "\xF0\x9F\xA6\x96\tzorblax\n");
  r = RunCli(stripped + " --set emoji=" + emoji + " --strip-text --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("derived again emoji.bin ("), std::string::npos) << r.output;
  m = Open(out);
  EXPECT_EQ(Section(*m, "emoji"), "<absent>");
  EXPECT_TRUE(Section(*m, "lexicon.bin") == Section(*full, "lexicon.bin"));
  ASSERT_TRUE(Engine::FromModel(m, {}, &e).ok());
  EXPECT_EQ(internal::EngineAccess::Get(*e).emoji.Find("zorblax").size(), 1u);

  // --restore-text: the text back; deriving from it gives the same sections.
  r = RunCli(stripped + " --restore-text --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("restored lexicon ("), std::string::npos) << r.output;
  m = Open(out);
  EXPECT_EQ(Section(*m, "lexicon"), src.lexicon);
  EXPECT_EQ(Section(*m, "surface"), src.surface);
  EXPECT_EQ(Section(*m, "emoji"), src.emoji);
  EXPECT_TRUE(Section(*m, "lexicon.bin") == Section(*full, "lexicon.bin"));
  EXPECT_TRUE(engine::CheckDerivedSections(*m).ok());
  engine::SourceTexts none;
  ASSERT_TRUE(engine::ReadSourceTexts(*m, &none).ok());
  EXPECT_FALSE(none.any_rendered());

  // hunch quantize on a stripped (int8) model: requantized, still stripped,
  // the sections copied, both models evaluated as engines.
  const std::string text = dir_ + "/text.txt", quantized = dir_ + "/q.hunch";
  WriteAll(text, "the cat sat on the mat\nI will see you tomorrow\n");
  r = testing::RunCommand(std::string(HUNCH_METADATA_CLI) + " quantize " + stripped + " -o " + quantized +
                          " --requantize --weights int4 --eval-text " + text);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("engine (hunch eval's protocol)"), std::string::npos) << r.output;
  m = Open(quantized);
  EXPECT_EQ(Section(*m, "lexicon"), "<absent>");
  EXPECT_TRUE(Section(*m, "lexicon.bin") == Section(*full, "lexicon.bin"));
  EXPECT_TRUE(Section(*m, "emoji.bin") == Section(*full, "emoji.bin"));

  // Usage errors, and a text with no binary section to live in.
  r = RunCli(model_ + " --strip-text --restore-text --out " + out);
  EXPECT_EQ(r.code, 2);
  r = RunCli(model_ + " --strip-text --remove emoji --out " + out);
  EXPECT_EQ(r.code, 2);
  r = RunCli(model_ + " --strip-text");
  EXPECT_EQ(r.code, 2);
  r = RunCli(model_ + " --remove vocab --strip-text --out " + out);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("--strip-text: the lexicon section has no lexicon.bin"), std::string::npos) << r.output;
}

// --lexicon-version 3 and 4: the compact lexicon.bins; rewrites keep them,
// version 2 gives the original bytes back.
TEST_F(MetadataCliTest, CompactLexiconVersions) {
  size_t previous_size = 0;
  for (const uint32_t version : {3u, 4u}) {
    SCOPED_TRACE("version " + std::to_string(version));
    const std::string compact = dir_ + "/v" + std::to_string(version) + ".hunch", out = dir_ + "/out.hunch";
    CliRun r = RunCli(model_ + " --strip-text --lexicon-version " + std::to_string(version) + " --out " + compact);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("derived again lexicon.bin ("), std::string::npos) << r.output;
    const auto full = Open(model_);
    auto m = Open(compact);
    ASSERT_TRUE(m);
    EXPECT_EQ(engine::LexiconSectionVersion(*m), version);
    const size_t size = Section(*m, "lexicon.bin").size();
    EXPECT_LT(size, Section(*full, "lexicon.bin").size());
    if (previous_size) EXPECT_LT(size, previous_size);  // 4 is smaller than 3
    previous_size = size;
    EXPECT_TRUE(engine::CheckDerivedSections(*m).ok()) << engine::CheckDerivedSections(*m).ToString();
    r = testing::RunCommand(std::string(HUNCH_METADATA_CLI) + " inspect " + compact);
    EXPECT_NE(r.output.find("text stripped (lexicon, surface"), std::string::npos) << r.output;
    std::shared_ptr<const Engine> e;
    ASSERT_TRUE(Engine::FromModel(m, {}, &e).ok());
    EXPECT_EQ(internal::EngineAccess::Get(*e).lexicon.version(), version);
    EXPECT_EQ(internal::EngineAccess::Get(*e).lexicon.memory_bytes(), 0u);

    r = RunCli(compact + " --set offensive=" + words_ + " --out " + out);  // kept
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(Section(*Open(out), "lexicon.bin") == Section(*m, "lexicon.bin"));
    r = RunCli(compact + " --lexicon-version 2 --restore-text --out " + out);
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_TRUE(Section(*Open(out), "lexicon.bin") == Section(*full, "lexicon.bin"));
  }

  CliRun r = RunCli(model_ + " --lexicon-version 5 --out " + dir_ + "/out.hunch");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--lexicon-version must be 2, 3 or 4"), std::string::npos) << r.output;
  r = RunCli(model_ + " --lexicon-version 3");
  EXPECT_EQ(r.code, 2);
}

TEST_F(MetadataCliTest, OutputMayBeTheInput) {
  CliRun r = RunCli(model_ + " --set offensive=" + words_ + " --out " + model_);
  ASSERT_EQ(r.code, 0) << r.output;
  auto m = Open(model_);
  ASSERT_TRUE(m);
  const uint8_t* data = nullptr;
  size_t size = 0;
  EXPECT_TRUE(m->GetMetadata("offensive", &data, &size).ok());
  m.reset();
  r = RunCli(model_ + " --remove offensive --out " + model_);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(ReadAll(model_) == Rewritten());
  EXPECT_EQ(CountFiles(dir_), 2);  // no temporary file left
}

TEST_F(MetadataCliTest, BadInputs) {
  const std::string out = dir_ + "/out.hunch";
  const std::string junk = dir_ + "/junk.hunch", bad_utf8 = dir_ + "/bad-utf8.txt", upper = dir_ + "/upper.txt",
                    phrase = dir_ + "/phrase.txt", crlf = dir_ + "/crlf.txt", long_word = dir_ + "/long.txt",
                    vocab = dir_ + "/vocab.txt";
  WriteAll(junk, std::string(200, 'x'));
  WriteAll(bad_utf8, "darn\nh\xC3(ck\n");
  WriteAll(upper, "darn\nHeck\n");
  WriteAll(phrase, "darn\ngosh darn\n");
  WriteAll(crlf, "darn\r\nheck\r\n");
  WriteAll(long_word, std::string(65, 'a') + "\n");
  WriteAll(vocab, "a\nb\n");
  struct Case {
    std::string args;
    int code;
    std::string message;
  };
  const std::vector<Case> cases = {
      // bad input: exit 1
      {dir_ + "/missing.hunch", 1, "missing.hunch"},
      {junk, 1, "hunch metadata: "},
      {model_ + " --set offensive=" + dir_ + "/none.txt --out " + out, 1, "none.txt"},
      {model_ + " --set offensive=" + bad_utf8 + " --out " + out, 1, "invalid UTF-8 at byte 6 (line 2)"},
      {model_ + " --set vocab=" + bad_utf8 + " --out " + out, 1, "invalid UTF-8"},
      {model_ + " --set offensive=" + upper + " --out " + out, 1, "line 2 ('Heck') is not lower case"},
      {model_ + " --set offensive=" + phrase + " --out " + out, 1, "line 2 has a space"},
      {model_ + " --set offensive=" + crlf + " --out " + out, 1, "line 1 has a control character"},
      {model_ + " --set offensive=" + long_word + " --out " + out, 1, "65 bytes"},
      {model_ + " --set tokenizer=" + words_ + " --out " + out, 1, "must be JSON"},
      {model_ + " --set vocab=" + vocab + " --out " + out, 1, "does not open as an engine"},
      {model_ + " --remove nothing --out " + out, 1, "no metadata section 'nothing'"},
      {model_ + " --get nothing", 1, "no metadata section 'nothing'"},
      // usage errors: exit 2
      {"", 2, "the model is missing"},
      {model_ + " --set offensive --out " + out, 2, "NAME=FILE"},
      {model_ + " --set =" + words_ + " --out " + out, 2, "section name"},
      {model_ + " --set 'bad name=" + words_ + "' --out " + out, 2, "section name"},
      {model_ + " --set offensive=" + words_, 2, "need --out"},
      {model_ + " --get vocab --out " + out, 2, "--get does not go with"},
      {model_ + " --set offensive=" + words_ + " --remove offensive --out " + out, 2, "named twice"},
      {model_ + " --frobnicate 1", 2, "unknown option --frobnicate"},
      {model_ + " --out", 2, "needs a value"},
      {model_ + " " + model_, 2, "one model only"},
  };
  for (const Case& c : cases) {
    CliRun r = RunCli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
  }
  // None of the failures wrote an output or a temporary file, or touched the model.
  EXPECT_FALSE(Exists(out));
  EXPECT_EQ(CountFiles(dir_), 9);  // tiny, offensive.txt and the 7 bad inputs
  EXPECT_TRUE(ReadAll(model_) == original_);
}

TEST_F(MetadataCliTest, UnwritableFolderLeavesNothing) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  const std::string ro = dir_ + "/ro";
  ASSERT_EQ(::mkdir(ro.c_str(), 0555), 0);
  CliRun r = RunCli(model_ + " --set offensive=" + words_ + " --out " + ro + "/out.hunch");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("Permission denied"), std::string::npos) << r.output;
  EXPECT_EQ(CountFiles(ro), 0);
}

// The withheld list: words the LM keeps but the lexicon rules keep out of
// the suggestions: not completed to, not a next word, not autocorrected to;
// offered when typed in full; with filter_offensive off too. The same
// checks as the offensive list refuse a bad one.
TEST_F(MetadataCliTest, WithheldWordsAreNotSuggested) {
  const std::string list = dir_ + "/withheld.txt";
  {
    std::ofstream f(list, std::ios::binary);
    f << "the\nthere\n";
  }
  const std::string out = dir_ + "/withheld.hunch";
  CliRun r = RunCli(model_ + " --set withheld=" + list + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  auto texts = [](const std::vector<Suggestion>& v) {
    std::vector<std::string> t;
    for (const Suggestion& s : v) t.push_back(s.text);
    return t;
  };
  auto has = [&](const std::vector<Suggestion>& v, const std::string& w) {
    const std::vector<std::string> t = texts(v);
    return std::find(t.begin(), t.end(), w) != t.end();
  };
  for (bool filter_offensive : {true, false}) {
    for (const std::string& path : {model_, out}) {
      EngineOptions o;
      o.filter_offensive = filter_offensive;
      std::shared_ptr<const Engine> engine;
      ASSERT_TRUE(Engine::Open(path, o, &engine).ok());
      std::unique_ptr<Session> session;
      ASSERT_TRUE(engine->NewSession(&session).ok());
      const bool withheld = path == out;
      SuggestRequest req;
      req.context = "I think";
      req.max_suggestions = 8;
      std::vector<Suggestion> next, typing, fix, full;
      ASSERT_TRUE(session->Suggest(req, &next).ok());
      req.typed = "th";
      ASSERT_TRUE(session->Suggest(req, &typing).ok());
      req.typed = "tge";
      req.complete = true;
      ASSERT_TRUE(session->Suggest(req, &fix).ok());
      req.typed = "the";
      ASSERT_TRUE(session->Suggest(req, &full).ok());
      // Without the list, "the" is the next word, the completion and the autocorrection.
      EXPECT_EQ(has(next, "the"), !withheld) << path;
      EXPECT_EQ(has(typing, "the") || has(typing, "there"), !withheld) << path;
      ASSERT_FALSE(fix.empty());
      EXPECT_EQ(fix[0].text == "the" && fix[0].autocorrect, !withheld) << path;
      // Typed in full, it is offered as it is.
      EXPECT_TRUE(has(full, "the")) << path;
    }
  }
  // The offensive list's checks.
  {
    std::ofstream f(list, std::ios::binary);
    f << "the\nThere\n";
  }
  r = RunCli(model_ + " --set withheld=" + list + " --out " + dir_ + "/bad.hunch");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("line 2 ('There') is not lower case"), std::string::npos) << r.output;
}

// `hunch inspect --dump-weights DIR`: every weight tensor as a float32 .npy
// holding exactly the values the runtime computes with (DequantizeConstant),
// for tiny.hunch (int8) and its int4 copy.
TEST_F(MetadataCliTest, InspectDumpsWeightsAsNpy) {
  const std::string cli = HUNCH_METADATA_CLI;
  for (const std::string weights : {"", "int4"}) {
    std::string path = model_;
    if (!weights.empty()) {
      path = dir_ + "/" + weights + ".hunch";
      CliRun q = testing::RunCommand(cli + " quantize " + model_ + " -o " + path + " --requantize --weights " + weights);
      ASSERT_EQ(q.code, 0) << q.output;
    }
    const std::string out = dir_ + "/dump-" + (weights.empty() ? "f32" : weights);
    CliRun r = testing::RunCommand(cli + " inspect " + path + " --dump-weights " + out);
    ASSERT_EQ(r.code, 0) << r.output;
    const auto m = Open(path);
    ASSERT_TRUE(m);
    const std::string manifest = ReadAll(out + "/weights.json");
    int dumped = 0;
    for (int t = 0; t < m->num_tensors(0); ++t) {
      const TensorInfo& info = m->tensor(0, t);
      if (!info.is_constant || (info.dtype != DType::kFloat32 && info.dtype != DType::kInt8 &&
                                info.dtype != DType::kInt4 && info.dtype != DType::kFloat16))
        continue;
      ++dumped;
      const std::string file = std::to_string(t) + ".npy";
      EXPECT_NE(manifest.find("\"name\":\"" + std::string(info.name) + "\""), std::string::npos) << manifest;
      EXPECT_NE(manifest.find("\"file\":\"" + file + "\""), std::string::npos) << manifest;
      const std::string npy = ReadAll(out + "/" + file);
      ASSERT_GT(npy.size(), 10u);
      ASSERT_EQ(npy.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
      const size_t header = static_cast<uint8_t>(npy[8]) | (static_cast<uint8_t>(npy[9]) << 8);
      ASSERT_EQ((10 + header) % 64, 0u);
      const std::string dict = npy.substr(10, header);
      EXPECT_NE(dict.find("'descr': '<f4'"), std::string::npos) << dict;
      std::string shape = "(";
      for (int d = 0; d < info.shape.rank; ++d)
        shape += std::to_string(info.shape.dims[d]) + (info.shape.rank == 1 ? "," : d + 1 < info.shape.rank ? ", " : "");
      shape.erase(std::remove(shape.begin(), shape.end(), ' '), shape.end());
      EXPECT_NE(dict.find("'shape': " + shape + ")"), std::string::npos) << dict << " vs " << shape;
      std::vector<float> want;
      ASSERT_TRUE(DequantizeConstant(*m, 0, t, &want).ok());
      ASSERT_EQ(npy.size() - 10 - header, want.size() * sizeof(float)) << info.name;
      EXPECT_EQ(std::memcmp(npy.data() + 10 + header, want.data(), want.size() * sizeof(float)), 0) << info.name;
    }
    EXPECT_GE(dumped, 3) << path;
  }
  // Dumping another model into a folder that holds a dump replaces its
  // manifest (the int4 dump's, here, by the int8 one's).
  CliRun again = testing::RunCommand(cli + " inspect " + model_ + " --dump-weights " + dir_ + "/dump-int4");
  ASSERT_EQ(again.code, 0) << again.output;
  const std::string replaced = ReadAll(dir_ + "/dump-int4/weights.json");
  EXPECT_NE(replaced.find("\"dtype\":\"int8\""), std::string::npos) << replaced;
  EXPECT_EQ(replaced.find("\"dtype\":\"int4\""), std::string::npos) << replaced;
  // A path that is a file, not a folder; and no folder at all.
  WriteAll(dir_ + "/file", "x");
  CliRun bad = testing::RunCommand(cli + " inspect " + model_ + " --dump-weights " + dir_ + "/file 2>&1");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("is not a directory"), std::string::npos) << bad.output;
  bad = testing::RunCommand(cli + " inspect " + model_ + " --dump-weights=");
  EXPECT_EQ(bad.code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--dump-weights needs a directory"), std::string::npos) << bad.output;
}

TEST_F(MetadataCliTest, Help) {
  CliRun r = RunCli("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("--set NAME=FILE"), std::string::npos);
}

}  // namespace
}  // namespace hunch

#endif  // HUNCH_METADATA_CLI
