// The engine's files at the boundary: a FIFO or directory given to
// Engine::Open or UserModel::Open fails at once with a message; a model opened
// in read mode survives its file being truncated and overwritten in place;
// in map mode the project's writers replace files by rename, so an engine
// holding the old mapping keeps working (and truncating the mapped file in
// place is the SIGBUS read mode exists for). The C API's load option.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "builder/model_builder.h"
#include "builder/model_rewriter.h"
#include "hunch/engine.h"
#include "hunch/hunch.h"
#include "testing/in_child.h"
#include "testing/test_paths.h"

namespace hunch {
namespace {

using testing::ChildResult;
using testing::RunInChild;
using testing::ScratchDir;

// A copy of the default model in `dir`.
std::string CopyOfDefaultModel(const ScratchDir& dir, const std::string& name = "en.hunch") {
  std::ifstream in(testing::DefaultModelPath(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = dir.Path(name);
  EXPECT_TRUE(WriteFileAtomic(path, bytes.data(), bytes.size()).ok());
  return path;
}

// The suggestions for a few requests, one line each ("" on an error).
std::string Answers(const Engine& engine) {
  std::unique_ptr<Session> session;
  if (!engine.NewSession(&session).ok()) return "";
  std::string out;
  const char* contexts[][2] = {{"I will see you", "tom"}, {"the quick brown", ""}, {"thank you very", "mu"}};
  for (const auto& c : contexts) {
    SuggestRequest req;
    req.context = c[0];
    req.typed = c[1];
    std::vector<Suggestion> list;
    if (!session->Suggest(req, &list).ok()) return "";
    for (const Suggestion& s : list) out += s.text + "|";
    out += "\n";
  }
  return out;
}

EngineOptions WithLoad(LoadMode mode) {
  EngineOptions o;
  o.model.load = mode;
  return o;
}

ino_t Inode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(EngineBoundary, FifoAndDirectoryAreRefusedAtOnce) {
  ScratchDir dir;
  const std::string fifo = dir.Fifo("en.fifo"), sub = dir.Dir("en.dir");
  ASSERT_FALSE(fifo.empty());
  ASSERT_FALSE(sub.empty());
  for (LoadMode mode : {LoadMode::kMap, LoadMode::kRead}) {
    for (const std::string& path : {fifo, sub}) {
      const ChildResult r = RunInChild([&] {
        std::shared_ptr<const Engine> engine;
        return Engine::Open(path, WithLoad(mode), &engine);
      });
      ASSERT_TRUE(r.returned) << path << ": Engine::Open did not return (signal " << r.signal << ")";
      EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << r.status.ToString();
      EXPECT_EQ(r.status.message(), path + (path == fifo ? " is a FIFO" : " is a directory") + ", not a regular file");
    }
  }
  // The C API says the same.
  const ChildResult c = RunInChild([&] {
    hunch_engine* engine = nullptr;
    char* error = nullptr;
    const hunch_status_code code = hunch_engine_open(fifo.c_str(), &engine, &error);
    const Status s(static_cast<StatusCode>(code), error ? error : "");
    hunch_free(error);
    hunch_engine_free(engine);
    return s;
  });
  ASSERT_TRUE(c.returned) << "signal " << c.signal;
  EXPECT_EQ(c.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status.message().find(fifo + " is a FIFO, not a regular file"), std::string::npos) << c.status.message();
}

TEST(EngineBoundary, UserDictionaryFifoAndDirectoryAreRefusedAtOnce) {
  std::shared_ptr<const Engine> engine;
  ASSERT_TRUE(Engine::Open(testing::DefaultModelPath(), EngineOptions(), &engine).ok());
  ScratchDir dir;
  const std::string fifo = dir.Fifo("user.fifo"), sub = dir.Dir("user.dir");
  ASSERT_FALSE(fifo.empty());
  ASSERT_FALSE(sub.empty());
  for (const std::string& path : {fifo, sub}) {
    const ChildResult r = RunInChild([&] {
      std::shared_ptr<UserModel> user;
      return UserModel::Open(engine, path, UserModelOptions(), &user);
    });
    ASSERT_TRUE(r.returned) << path << ": UserModel::Open did not return (signal " << r.signal << ")";
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << r.status.ToString();
    EXPECT_EQ(r.status.message(), path + (path == fifo ? " is a FIFO" : " is a directory") + ", not a regular file");
  }
  // Nothing was created or changed: still a FIFO and a directory.
  struct stat st;
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(EngineBoundary, ReadModeSurvivesTheFileTruncatedAndOverwritten) {
  ScratchDir dir;
  const std::string path = CopyOfDefaultModel(dir);
  std::shared_ptr<const Engine> reference;
  ASSERT_TRUE(Engine::Open(testing::DefaultModelPath(), EngineOptions(), &reference).ok());
  const std::string expected = Answers(*reference);
  ASSERT_FALSE(expected.empty());
  const ChildResult r = RunInChild([&] {
    std::shared_ptr<const Engine> engine;
    HUNCH_RETURN_IF_ERROR(Engine::Open(path, WithLoad(LoadMode::kRead), &engine));
    if (::truncate(path.c_str(), 0) != 0) return Status::IOError("truncate failed");
    const std::string after_truncate = Answers(*engine);
    {
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f << std::string(3 << 20, '\x5a');
    }
    const std::string after_overwrite = Answers(*engine);
    if (after_truncate != expected || after_overwrite != expected)
      return Status::Internal("suggestions changed:\n" + after_truncate + "\n" + after_overwrite);
    return Status::OK();
  });
  ASSERT_TRUE(r.returned) << "the engine in read mode died of signal " << r.signal;
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
}

// Why read mode exists: a mapped file truncated in place takes the pages
// away under the engine, and the next read of one is SIGBUS. (In a child.)
TEST(EngineBoundary, MapModeTruncatedInPlaceIsSigbus) {
  ScratchDir dir;
  const std::string path = CopyOfDefaultModel(dir);
  const ChildResult r = RunInChild([&] {
    std::shared_ptr<const Engine> engine;
    HUNCH_RETURN_IF_ERROR(Engine::Open(path, WithLoad(LoadMode::kMap), &engine));
    if (::truncate(path.c_str(), 0) != 0) return Status::IOError("truncate failed");
    return Answers(*engine).empty() ? Status::Internal("no answers") : Status::OK();
  });
  EXPECT_FALSE(r.returned) << r.status.ToString();
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer catches the SIGBUS, reports it and exits the child.
  EXPECT_TRUE(r.signal == SIGBUS || r.signal == 0) << r.signal;
#else
  EXPECT_EQ(r.signal, SIGBUS);
#endif
}

// The project's writers replace a model by rename (WriteFileAtomic: a new
// file, then rename over the old name): an engine that maps the old file
// keeps it, and answers as before.
TEST(EngineBoundary, MapModeKeepsWorkingWhenTheProjectsWritersReplaceTheFile) {
  ScratchDir dir;
  const std::string path = CopyOfDefaultModel(dir);
  const ChildResult r = RunInChild([&] {
    std::shared_ptr<const Engine> engine;
    HUNCH_RETURN_IF_ERROR(Engine::Open(path, WithLoad(LoadMode::kMap), &engine));
    const std::string before = Answers(*engine);
    if (before.empty()) return Status::Internal("no answers");
    // ModelRewriter::WriteFile (hunch metadata, hunch quantize), with a changed section.
    const ino_t old_inode = Inode(path);
    std::unique_ptr<ModelRewriter> rw;
    HUNCH_RETURN_IF_ERROR(ModelRewriter::Open(path, &rw));
    HUNCH_RETURN_IF_ERROR(rw->SetMetadata("provenance", std::string("{\"rewritten\": true}")));
    HUNCH_RETURN_IF_ERROR(rw->WriteFile(path));
    rw.reset();
    if (Inode(path) == old_inode) return Status::Internal("the rewriter wrote the file in place");
    if (Answers(*engine) != before) return Status::Internal("the old engine's answers changed");
    // ModelBuilder::WriteFile (hunch convert, make_fuzz_seeds): a different model at the same path.
    const ino_t rewritten_inode = Inode(path);
    ModelBuilder b;
    b.AddSubgraph("main");
    const int x = b.AddTensor("x", DType::kFloat32, {1, 2});
    const int y = b.AddTensor("y", DType::kFloat32, {1, 2});
    b.AddOp("RELU", {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    HUNCH_RETURN_IF_ERROR(b.WriteFile(path));
    if (Inode(path) == rewritten_inode) return Status::Internal("the builder wrote the file in place");
    if (Answers(*engine) != before) return Status::Internal("the old engine's answers changed");
    return Status::OK();
  });
  ASSERT_TRUE(r.returned) << "the mapped engine died of signal " << r.signal;
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
}

TEST(EngineBoundary, CApiLoadOption) {
  hunch_engine_options o;
  hunch_engine_options_init(&o);
  EXPECT_EQ(o.load, HUNCH_LOAD_MAP);
  hunch_engine* engine = nullptr;
  char* error = nullptr;
  o.load = HUNCH_LOAD_READ;
  ASSERT_EQ(hunch_engine_open_with_options(testing::DefaultModelPath().c_str(), &o, &engine, &error), HUNCH_OK)
      << (error ? error : "");
  EXPECT_GT(hunch_engine_vocab_size(engine), 0);
  hunch_engine_free(engine);
  engine = nullptr;
  o.load = 7;
  EXPECT_EQ(hunch_engine_open_with_options(testing::DefaultModelPath().c_str(), &o, &engine, &error),
            HUNCH_INVALID_ARGUMENT);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("options->load 7"), std::string::npos) << error;
  EXPECT_EQ(engine, nullptr);
  // A caller compiled against the first version of the struct (no `load`):
  // its struct_size is accepted and the default (map) applies.
  o.struct_size = offsetof(hunch_engine_options, load);
  ASSERT_EQ(hunch_engine_open_with_options(testing::DefaultModelPath().c_str(), &o, &engine, &error), HUNCH_OK)
      << (error ? error : "");
  hunch_engine_free(engine);
  hunch_free(error);
}

}  // namespace
}  // namespace hunch
