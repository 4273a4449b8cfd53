// `hunch quantize` end to end: runs the built CLI (HUNCH_QUANTIZE_CLI) on
// small models written to a temporary folder.
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "builder/lm_builder.h"
#include "builder/model_builder.h"
#include "builder/model_rewriter.h"
#include "eval/evaluate.h"
#include "gtest/gtest.h"
#include "hunch/engine.h"
#include "hunch/model.h"
#include "testing/cli_run.h"
#include "text/unicode_tables.h"
#include "util/json.h"

#ifdef HUNCH_QUANTIZE_CLI

namespace hunch {
namespace {

using testing::CliRun;
using testing::CountFiles;
using testing::Exists;

CliRun RunCli(const std::string& args) { return testing::RunCommand(std::string(HUNCH_QUANTIZE_CLI) + " quantize " + args); }

class QuantizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hunch_quantize_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A float32 LM with vocabulary and tokenizer metadata.
    LmConfig c;
    c.vocab = 200;
    c.embed = 16;
    c.units = 32;
    c.proj = 16;
    const std::vector<uint8_t> lm = BuildRandomLm(c);
    std::unique_ptr<ModelRewriter> rw;
    ASSERT_TRUE(ModelRewriter::FromBytes(lm.data(), lm.size(), &rw).ok());
    std::string vocab = "<unk>\n<s>\n</s>";
    for (int i = 3; i < 200; ++i) vocab += "\nw" + std::to_string(i);
    std::string regex;
    for (const char* p = text::internal::kTrainTokenPattern; *p; ++p) {
      if (*p == '\\' || *p == '"') regex += '\\';
      regex += *p;
    }
    ASSERT_TRUE(rw->SetMetadata("vocab", vocab).ok());
    ASSERT_TRUE(rw->SetMetadata("tokenizer", "{\"version\": 1, \"lowercase\": true, \"token_regex\": \"" + regex +
                                                 "\", \"vocab_size\": 200}")
                    .ok());
    model_ = dir_ + "/lm.hunch";
    ASSERT_TRUE(rw->WriteFile(model_).ok());
    // The same model without metadata, and an int8 one.
    bare_ = dir_ + "/bare.hunch";
    ASSERT_TRUE(WriteFileAtomic(bare_, lm.data(), lm.size()).ok());
    c.weights = DType::kInt8;
    const std::vector<uint8_t> q = BuildRandomLm(c);
    int8_ = dir_ + "/int8.hunch";
    ASSERT_TRUE(WriteFileAtomic(int8_, q.data(), q.size()).ok());
    text_ = dir_ + "/text.txt";
    std::ofstream(text_) << "w5 w6 w7 hello\nw100 w101 , w3\n\nw42 w43 w44 w45 w46\n";
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  std::string dir_, model_, bare_, int8_, text_;
};

TEST_F(QuantizeCliTest, QuantizesAndEvaluates) {
  const std::string out = dir_ + "/lm-int8.hunch";
  CliRun r = RunCli(model_ + " -o " + out + " --weights int8 --eval-text " + text_);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("int8 weights"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("embedding"), std::string::npos);
  EXPECT_NE(r.output.find("size: "), std::string::npos);
  EXPECT_NE(r.output.find("eval: " + text_ + ", 3 lines, 16 targets (2 <unk>"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("top-1 agreement"), std::string::npos);
  // The engine's figures (eval::Evaluate): 4 + 4 + 5 tokens.
  EXPECT_NE(r.output.find("engine (hunch eval's protocol): 3 lines, 13 tokens\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  KSR@3 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  engine next-word top-1 "), std::string::npos) << r.output;
  std::shared_ptr<const Model> m;
  ASSERT_TRUE(Model::Open(out, {}, &m).ok());
  struct stat a, b;
  ASSERT_EQ(::stat(model_.c_str(), &a), 0);
  ASSERT_EQ(::stat(out.c_str(), &b), 0);
  EXPECT_LT(b.st_size, a.st_size / 2);
}

TEST_F(QuantizeCliTest, JsonReport) {
  for (const char* weights : {"int8", "float16", "int4"}) {
    const std::string out = dir_ + "/lm-" + weights + ".hunch";
    CliRun r =
        RunCli(model_ + " -o " + out + " --weights " + weights + " --eval-text " + text_ + " --max-lines 2 --json");
    ASSERT_EQ(r.code, 0) << r.output;
    json::Value v;
    Status s = json::Parse(r.output, &v);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << r.output;
    EXPECT_EQ(v.Find("weights")->str(), weights);
    EXPECT_LT(v.Find("bytes_after")->number(), v.Find("bytes_before")->number());
    EXPECT_EQ(v.Find("tensors")->size(), 4u);
    const json::Value* e = v.Find("eval");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->Find("lines")->number(), 2);
    EXPECT_EQ(e->Find("targets")->number(), 10);  // 4 + 1, then 4 + 1
    EXPECT_GT(e->Find("float")->Find("ppl")->number(), 1.0);
    EXPECT_GT(e->Find("top1_agreement")->number(), 0.5);
    EXPECT_LE(e->Find("top1_agreement")->number(), 1.0);
    // eval::Evaluate on the first 2 lines' tokens, both models.
    const json::Value* en = e->Find("engine");
    ASSERT_TRUE(en && en->Find("float") && en->Find("quantized")) << r.output;
    EXPECT_EQ(en->Find("suggestions")->number(), 3);
    EXPECT_EQ(en->Find("lines")->number(), 2);
    EXPECT_EQ(en->Find("words")->number(), 8);
    EXPECT_EQ(en->Find("skipped_tokens")->number(), 0);
    for (const char* m : {"float", "quantized"}) {
      const double ksr = en->Find(m)->Find("ksr")->number(), top1 = en->Find(m)->Find("top1")->number();
      EXPECT_GE(ksr, -100.0) << m;  // KSR and top-1 in percent
      EXPECT_LE(ksr, 100.0) << m;
      EXPECT_GE(top1, 0.0) << m;
      EXPECT_LE(top1, 100.0) << m;
    }
    EXPECT_DOUBLE_EQ(en->Find("ksr_change")->number(),
                     en->Find("quantized")->Find("ksr")->number() - en->Find("float")->Find("ksr")->number());
  }
}

// The KSR and top-1 the report gives are `hunch eval`'s on the same tokens.
TEST_F(QuantizeCliTest, EngineFiguresMatchEvaluate) {
  const std::string out = dir_ + "/lm-int8.hunch";
  CliRun r = RunCli(model_ + " -o " + out + " --eval-text " + text_ + " --json");
  ASSERT_EQ(r.code, 0) << r.output;
  json::Value v;
  ASSERT_TRUE(json::Parse(r.output, &v).ok()) << r.output;
  const json::Value* en = v.Find("eval")->Find("engine");
  ASSERT_TRUE(en && en->Find("float")) << r.output;
  const std::vector<std::vector<std::string>> lines = {{"w5", "w6", "w7", "hello"}, {"w100", "w101", ",", "w3"},
                             {"w42", "w43", "w44", "w45", "w46"}};
  const std::string paths[2] = {model_, out};
  const char* const names[2] = {"float", "quantized"};
  for (int m = 0; m < 2; ++m) {
    std::shared_ptr<const Engine> engine;
    ASSERT_TRUE(Engine::Open(paths[m], {}, &engine).ok());
    std::unique_ptr<Session> session;
    ASSERT_TRUE(engine->NewSession(&session).ok());
    eval::EvalResult want;
    ASSERT_TRUE(eval::Evaluate(session.get(), lines, eval::EvalOptions(), &want).ok());
    EXPECT_EQ(en->Find("words")->number(), 13);
    EXPECT_DOUBLE_EQ(en->Find(names[m])->Find("ksr")->number(), want.ksr()) << names[m];
    EXPECT_DOUBLE_EQ(en->Find(names[m])->Find("top1")->number(), want.top1()) << names[m];
  }
}

// A model whose metadata the engine rejects still gets the LM comparison.
TEST_F(QuantizeCliTest, NoEngineNoEngineFigures) {
  std::unique_ptr<ModelRewriter> rw;
  ASSERT_TRUE(ModelRewriter::Open(model_, &rw).ok());
  ASSERT_TRUE(rw->SetMetadata("lexicon", "not a lexicon line").ok());
  const std::string in = dir_ + "/bad-lexicon.hunch", out = dir_ + "/bad-lexicon-int8.hunch";
  ASSERT_TRUE(rw->WriteFile(in).ok());
  CliRun r = RunCli(in + " -o " + out + " --eval-text " + text_);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("top-1 agreement"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("engine: not evaluated (lexicon metadata: line 1"), std::string::npos) << r.output;
  r = RunCli(in + " -o " + out + " --eval-text " + text_ + " --json");
  ASSERT_EQ(r.code, 0) << r.output;
  json::Value v;
  ASSERT_TRUE(json::Parse(r.output, &v).ok()) << r.output;
  ASSERT_TRUE(v.Find("eval")->Find("engine"));
  EXPECT_TRUE(v.Find("eval")->Find("engine")->is_null()) << r.output;
}

// --requantize: an int8 model in, its embedding int4 out; the report says
// the input was quantized and which matrices kept their bytes.
TEST_F(QuantizeCliTest, RequantizesAQuantizedModel) {
  const std::string out = dir_ + "/int4.hunch";
  CliRun r = RunCli(int8_ + " -o " + out + " --weights int4 --requantize --json");
  ASSERT_EQ(r.code, 0) << r.output;
  json::Value v;
  ASSERT_TRUE(json::Parse(r.output, &v).ok()) << r.output;
  ASSERT_TRUE(v.Find("requantized") && v.Find("requantized")->is_bool());
  EXPECT_TRUE(v.Find("requantized")->bool_value());
  EXPECT_FALSE(v.Find("int4_all")->bool_value());
  size_t kept = 0, int4 = 0;
  const json::Value& tensors = *v.Find("tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(tensors[i].Find("from")->str(), "int8");
    kept += tensors[i].Find("kept_as_is")->bool_value();
    int4 += tensors[i].Find("dtype")->str() == "int4";
  }
  EXPECT_GE(kept, 1u);
  EXPECT_GE(int4, 1u);
  EXPECT_LT(v.Find("bytes_after")->number(), v.Find("bytes_before")->number());

  r = RunCli(int8_ + " -o " + dir_ + "/all.hunch --weights int4 --int4-all --requantize");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("(every matrix), requantized: the input was quantized already"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("int8>int8"), std::string::npos) << r.output;

  // A float32 input is no requantization.
  r = RunCli(model_ + " -o " + dir_ + "/f.hunch --requantize --json");
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_TRUE(json::Parse(r.output, &v).ok()) << r.output;
  EXPECT_FALSE(v.Find("requantized")->bool_value());

  r = RunCli(model_ + " -o " + dir_ + "/x.hunch --int4-all");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--int4-all needs --weights int4"), std::string::npos) << r.output;
}

TEST_F(QuantizeCliTest, Errors) {
  const std::string out = dir_ + "/out.hunch";
  CliRun r = RunCli(model_ + " -o " + out + " --weights int2");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--weights must be int8, float16 or int4, not 'int2'"), std::string::npos) << r.output;

  r = RunCli(dir_ + "/missing.hunch -o " + out);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("missing.hunch"), std::string::npos) << r.output;

  r = RunCli(int8_ + " -o " + out);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("is already int8"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--requantize"), std::string::npos) << r.output;

  r = RunCli(bare_ + " -o " + out + " --eval-text " + text_);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("no \"vocab\" metadata"), std::string::npos) << r.output;

  r = RunCli(model_ + " -o " + out + " --eval-text " + dir_ + "/missing.txt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("missing.txt"), std::string::npos) << r.output;

  r = RunCli(model_ + " -o " + dir_ + "/no/such/dir/out.hunch");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("No such file or directory"), std::string::npos) << r.output;

  r = RunCli(model_ + " -o " + model_);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("would replace the input"), std::string::npos) << r.output;

  r = RunCli(model_);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("-o OUT.hunch is required"), std::string::npos) << r.output;

  r = RunCli(model_ + " -o " + out + " --max-lines 3");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--max-lines needs --eval-text"), std::string::npos) << r.output;

  r = RunCli(model_ + " -o " + out + " --int4-block 7 --weights int4");
  EXPECT_EQ(r.code, 2);

  // None of the failures left an output or a temporary file behind.
  EXPECT_FALSE(Exists(out));
  EXPECT_EQ(CountFiles(dir_), 4);  // lm, bare, int8, text
}

TEST_F(QuantizeCliTest, UnwritableFolderLeavesNothing) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  const std::string ro = dir_ + "/ro";
  ASSERT_EQ(::mkdir(ro.c_str(), 0555), 0);
  CliRun r = RunCli(model_ + " -o " + ro + "/out.hunch");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("Permission denied"), std::string::npos) << r.output;
  EXPECT_EQ(CountFiles(ro), 0);
}

TEST_F(QuantizeCliTest, Help) {
  CliRun r = RunCli("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("--eval-text"), std::string::npos);
}

}  // namespace
}  // namespace hunch

#endif  // HUNCH_QUANTIZE_CLI
