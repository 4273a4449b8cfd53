// Tests of the user dictionary's record log (src/engine/user_log.cc): round
// trips of arbitrary bytes, torn and corrupt tails, files that are not user
// logs, batches, compaction, locking, failed writes, and a process killed
// with SIGKILL at random instants.
#include "engine/user_log.h"

#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "util/crc32c.h"

namespace hunch {
namespace engine {
namespace {

std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  ASSERT_EQ(std::fclose(f), 0);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string LE32(uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  return std::string(b, 4);
}

std::string Header(uint32_t version) { return "HUNCHUSR" + LE32(version) + LE32(0); }

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }

// A fresh directory per test, removed (with its contents) at the end.
class UserLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir();
    if (tmpl.empty() || tmpl.back() != '/') tmpl += '/';
    tmpl += "user_log_XXXXXX";
    ASSERT_NE(::mkdtemp(&tmpl[0]), nullptr) << tmpl << ": " << std::strerror(errno);
    dir_ = tmpl;
    path_ = dir_ + "/user.log";
  }
  void TearDown() override {
    if (!dir_.empty()) ::nftw(dir_.c_str(), RemoveEntry, 8, FTW_DEPTH | FTW_PHYS);
  }

  // Opens path_, expecting success.
  std::unique_ptr<UserLog> OpenOk(std::vector<std::string>* records, std::string* warning) {
    std::unique_ptr<UserLog> log;
    const Status s = UserLog::Open(path_, records, warning, &log);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return log;
  }
  // Opens path_ and returns its records; *warning (if given) gets the warning.
  std::vector<std::string> Replay(std::string* warning = nullptr) {
    std::vector<std::string> records;
    std::string w;
    OpenOk(&records, &w);
    if (warning) *warning = w;
    return records;
  }
  // Writes `records` as a new log (one Append each); *ends gets the file size
  // after each (so frame i spans [ends[i-1], ends[i]), ends[-1] being the header).
  void MakeLog(const std::vector<std::string>& records, std::vector<uint64_t>* ends = nullptr) {
    std::vector<std::string> got;
    std::string warning;
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    for (const std::string& r : records) {
      ASSERT_TRUE(log->Append(r).ok());
      if (ends) ends->push_back(log->file_bytes());
    }
  }

  std::string dir_;
  std::string path_;
};

TEST_F(UserLogTest, NewFileHoldsTheHeaderOnly) {
  std::vector<std::string> records{"stale"};
  std::string warning = "stale";
  std::unique_ptr<UserLog> log = OpenOk(&records, &warning);
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(records.empty());
  EXPECT_EQ(warning, "");
  EXPECT_EQ(log->path(), path_);
  EXPECT_EQ(log->file_bytes(), UserLog::kHeaderBytes);
  EXPECT_EQ(ReadFile(path_), Header(1));
}

TEST_F(UserLogTest, RoundTripOfArbitraryBytes) {
  std::string big(UserLog::kMaxRecordBytes, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 9));
  const std::vector<std::string> records = {
      "hello", std::string("a\0b\0", 4), "line 1\nline 2\r\n", "", std::string(1, '\0'), big, "\xff\xfe\x80 end",
  };
  {
    std::vector<std::string> got;
    std::string warning;
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    for (const std::string& r : records) ASSERT_TRUE(log->Append(r).ok());
    EXPECT_EQ(log->file_bytes(), ReadFile(path_).size());
  }
  for (int reopen = 0; reopen < 2; ++reopen) {
    std::string warning = "x";
    EXPECT_EQ(Replay(&warning), records);
    EXPECT_EQ(warning, "");
  }
}

TEST_F(UserLogTest, OversizedRecordsAreRefusedAndNothingIsWritten) {
  MakeLog({"a"});
  const std::string before = ReadFile(path_);
  std::vector<std::string> got;
  std::string warning;
  std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
  ASSERT_NE(log, nullptr);
  const std::string too_big(UserLog::kMaxRecordBytes + 1, 'x');
  EXPECT_EQ(log->Append(too_big).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->AppendBatch({"ok", too_big}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Rewrite({"ok", too_big}).code(), StatusCode::kInvalidArgument);
  // A batch of records each within the limit but over kMaxBatchBytes together.
  const std::vector<std::string> huge(17, std::string(UserLog::kMaxRecordBytes, 'y'));
  EXPECT_EQ(log->AppendBatch(huge).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(log->AppendBatch({}).ok());  // an empty batch writes nothing
  EXPECT_EQ(ReadFile(path_), before);
  EXPECT_EQ(log->file_bytes(), before.size());
}

// Truncating the file at every byte offset inside the last frame (what a
// crash mid-append leaves) keeps the earlier records, cuts the file back to
// them, and later appends land right after them.
TEST_F(UserLogTest, TornTailAtEveryOffsetIsDropped) {
  const std::vector<std::string> earlier = {"one", std::string("t\0o", 3), "three"};
  std::vector<std::string> all = earlier;
  all.push_back(std::string(40, 'L'));
  std::vector<uint64_t> ends;
  MakeLog(all, &ends);
  const std::string full = ReadFile(path_);
  const size_t start = ends[2];
  ASSERT_EQ(full.size(), ends[3]);
  for (size_t cut = start; cut < full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFile(path_, full.substr(0, cut));
    std::vector<std::string> got;
    std::string warning;
    {
      std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
      ASSERT_NE(log, nullptr);
      EXPECT_EQ(got, earlier);
      if (cut == start) {
        EXPECT_EQ(warning, "");  // a clean frame boundary: nothing torn
      } else {
        EXPECT_TRUE(
            Contains(warning, "dropped " + std::to_string(cut - start) + " bytes from offset " + std::to_string(start)))
            << warning;
        EXPECT_TRUE(Contains(warning, path_)) << warning;
      }
      EXPECT_EQ(ReadFile(path_).size(), start);
      EXPECT_EQ(log->file_bytes(), start);
      ASSERT_TRUE(log->Append("new").ok());
    }
    std::vector<std::string> expected = earlier;
    expected.push_back("new");
    EXPECT_EQ(Replay(&warning), expected);
    EXPECT_EQ(warning, "");
  }
}

// What a file system may show after a crash for data that never reached the
// disk: zeros. An all-zero frame is not an intact empty record.
TEST_F(UserLogTest, ZeroFilledTailIsDropped) {
  std::vector<uint64_t> ends;
  MakeLog({"a", "b"}, &ends);
  WriteFile(path_, ReadFile(path_) + std::string(4096, '\0'));
  std::string warning;
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Contains(warning, "dropped 4096 bytes from offset " + std::to_string(ends[1]))) << warning;
  EXPECT_EQ(ReadFile(path_).size(), ends[1]);
}

TEST_F(UserLogTest, CorruptLastRecordIsDropped) {
  std::vector<uint64_t> ends;
  MakeLog({"first", "second", "the last record"}, &ends);
  const std::string good = ReadFile(path_);
  const size_t last = ends[1];
  const uint32_t len = 15;
  struct Case {
    const char* name;
    size_t offset;       // where to overwrite
    std::string bytes;   // with what
    const char* reason;  // expected in the warning
  };
  const std::vector<Case> cases = {
      {"payload byte", last + 8 + 3, "X", "checksum mismatch"},
      {"checksum byte", last + 4, "\x01", "checksum mismatch"},
      {"length over the limit", last, LE32(UserLog::kMaxRecordBytes + 1), "over the limit"},
      {"batch length over the limit", last, LE32(UserLog::kBatchFlag | (UserLog::kMaxBatchBytes + 1)),
       "over the limit"},
      {"shorter length", last, LE32(len - 1), "checksum mismatch"},
      {"longer length", last, LE32(len + 5), "partial record"},
      {"batch flag set", last, LE32(UserLog::kBatchFlag | len), "checksum mismatch"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string bad = good;
    bad.replace(c.offset, c.bytes.size(), c.bytes);
    WriteFile(path_, bad);
    std::string warning;
    EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"first", "second"}));
    EXPECT_TRUE(Contains(warning, "from offset " + std::to_string(last))) << warning;
    EXPECT_TRUE(Contains(warning, c.reason)) << warning;
    EXPECT_EQ(ReadFile(path_), good.substr(0, last));
  }
}

// Frames carry no resynchronisation marks: damage in the middle drops that
// frame and everything after it, even intact frames.
TEST_F(UserLogTest, CorruptMiddleRecordDropsEverythingFromIt) {
  std::vector<uint64_t> ends;
  MakeLog({"r0", "r1", "r2", "r3", "r4"}, &ends);
  std::string bad = ReadFile(path_);
  bad[ends[1] + 8] ^= 0x20;  // the first payload byte of r2
  WriteFile(path_, bad);
  std::string warning;
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"r0", "r1"}));
  EXPECT_TRUE(Contains(
      warning, "dropped " + std::to_string(ends[4] - ends[1]) + " bytes from offset " + std::to_string(ends[1])))
      << warning;
  EXPECT_TRUE(Contains(warning, "2 records kept")) << warning;
  EXPECT_EQ(ReadFile(path_).size(), ends[1]);
}

TEST_F(UserLogTest, FilesThatAreNotUserLogsAreRefusedAndLeftAlone) {
  struct Case {
    const char* name;
    std::string bytes;
    StatusCode code;
    const char* reason;
  };
  // What a .hunch model starts with: a uoffset_t, then "HNCH".
  const std::string model = LE32(24) + "HNCH" + std::string(200, '\x07');
  const std::vector<Case> cases = {
      {"text", "the quick brown fox\njumps over the lazy dog\n", StatusCode::kCorruption, "bad magic"},
      {"model", model, StatusCode::kCorruption, "bad magic"},
      {"short garbage", "abc", StatusCode::kCorruption, "shorter than the header"},
      {"short, magic then a newer version", "HUNCHUSR\x02", StatusCode::kCorruption, "shorter than the header"},
      {"version 0", Header(0), StatusCode::kCorruption, "format version 0"},
      {"version 2", Header(2) + LE32(3) + LE32(0) + "abc", StatusCode::kUnsupported, "format version 2"},
      {"version 0xffffffff", Header(0xffffffffu), StatusCode::kUnsupported, "format version 4294967295"},
  };
  WriteFile(path_ + ".tmp", "a temporary file of someone else's");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WriteFile(path_, c.bytes);
    std::vector<std::string> records;
    std::string warning;
    std::unique_ptr<UserLog> log;
    const Status s = UserLog::Open(path_, &records, &warning, &log);
    EXPECT_EQ(s.code(), c.code) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), path_)) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), c.reason)) << s.ToString();
    EXPECT_EQ(log, nullptr);
    EXPECT_TRUE(records.empty());
    EXPECT_EQ(ReadFile(path_), c.bytes);
  }
  EXPECT_TRUE(Exists(path_ + ".tmp"));  // not ours to remove: the file is not a user log
}

TEST_F(UserLogTest, DirectoryIsRefused) {
  ASSERT_EQ(::mkdir(path_.c_str(), 0755), 0);
  std::vector<std::string> records;
  std::string warning;
  std::unique_ptr<UserLog> log;
  const Status s = UserLog::Open(path_, &records, &warning, &log);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), path_)) << s.ToString();
  EXPECT_EQ(log, nullptr);
}

TEST_F(UserLogTest, MissingDirectoryAndNullOutputsAreErrors) {
  std::vector<std::string> records;
  std::string warning;
  std::unique_ptr<UserLog> log;
  const std::string path = dir_ + "/no/such/dir/user.log";
  const Status s = UserLog::Open(path, &records, &warning, &log);
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), path)) << s.ToString();
  EXPECT_EQ(UserLog::Open(path_, nullptr, &warning, &log).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(UserLog::Open(path_, &records, nullptr, &log).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(UserLog::Open(path_, &records, &warning, nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(UserLog::Open("", &records, &warning, &log).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Exists(path_));
}

// A 0-byte file is what a crash right after the file was created leaves: a
// new, empty log, without a warning.
TEST_F(UserLogTest, EmptyFileIsANewLog) {
  WriteFile(path_, "");
  std::string warning = "x";
  EXPECT_TRUE(Replay(&warning).empty());
  EXPECT_EQ(warning, "");
  EXPECT_EQ(ReadFile(path_), Header(1));
}

// So is a file that holds the start of the header (a torn header write),
// with a warning.
TEST_F(UserLogTest, PartialHeaderIsANewLog) {
  const std::string header = Header(1);
  for (size_t n = 1; n < header.size(); ++n) {
    SCOPED_TRACE(n);
    WriteFile(path_, header.substr(0, n));
    std::string warning;
    EXPECT_TRUE(Replay(&warning).empty());
    EXPECT_TRUE(Contains(warning, "dropped " + std::to_string(n) + " bytes from offset 0")) << warning;
    EXPECT_EQ(ReadFile(path_), header);
  }
}

TEST_F(UserLogTest, BatchIsAllOrNothing) {
  const std::vector<std::string> batch = {"b", "", std::string("c\0d", 3), std::string(60, 'e')};
  uint64_t batch_start = 0, batch_end = 0;
  {
    std::vector<std::string> got;
    std::string warning;
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->Append("a").ok());
    batch_start = log->file_bytes();
    ASSERT_TRUE(log->AppendBatch(batch).ok());
    batch_end = log->file_bytes();
    ASSERT_TRUE(log->Append("z").ok());
  }
  std::vector<std::string> all = {"a"};
  all.insert(all.end(), batch.begin(), batch.end());
  all.push_back("z");
  std::string warning;
  EXPECT_EQ(Replay(&warning), all);
  EXPECT_EQ(warning, "");

  const std::string full = ReadFile(path_);
  for (size_t cut = batch_start + 1; cut < batch_end; ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteFile(path_, full.substr(0, cut));
    EXPECT_EQ(Replay(&warning), std::vector<std::string>{"a"});
    EXPECT_FALSE(warning.empty());
  }
  // A damaged byte inside the batch (in its third record) drops all of it.
  std::string bad = full;
  bad[batch_start + 8 + 4 + 4 + 1 + 4 + 4 + 1] ^= 1;
  WriteFile(path_, bad);
  EXPECT_EQ(Replay(&warning), std::vector<std::string>{"a"});
  EXPECT_TRUE(Contains(warning, "checksum mismatch")) << warning;
}

// A batch frame whose checksum is right but whose contents do not add up (a
// writer bug) is dropped too.
TEST_F(UserLogTest, MalformedBatchIsDropped) {
  std::vector<uint64_t> ends;
  MakeLog({"a"}, &ends);
  const std::string good = ReadFile(path_);
  const std::vector<std::string> payloads = {
      LE32(2) + LE32(1) + "x",                       // says 2 records, holds 1
      LE32(1) + LE32(1) + "xy",                      // a byte left over
      LE32(0),                                       // no records
      "",                                            // no count
      LE32(1) + LE32(UserLog::kMaxRecordBytes + 1),  // a record over the limit
  };
  for (const std::string& payload : payloads) {
    const std::string word = LE32(UserLog::kBatchFlag | static_cast<uint32_t>(payload.size()));
    const std::string frame =
        word + LE32(internal::Crc32cExtend(internal::Crc32c(word.data(), 4), payload.data(), payload.size())) + payload;
    WriteFile(path_, good + frame);
    std::string warning;
    EXPECT_EQ(Replay(&warning), std::vector<std::string>{"a"});
    EXPECT_TRUE(Contains(warning, "malformed batch")) << warning;
    EXPECT_EQ(ReadFile(path_), good);
  }
}

TEST_F(UserLogTest, RewriteReplacesTheLogAndAppendsContinue) {
  std::vector<std::string> got;
  std::string warning;
  {
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append("old " + std::to_string(i)).ok());
    ASSERT_TRUE(log->AppendBatch({"old batch 1", "old batch 2"}).ok());
    ASSERT_TRUE(log->Rewrite({"x", std::string("y\0", 2)}).ok());
    EXPECT_FALSE(Exists(path_ + ".tmp"));
    EXPECT_EQ(log->file_bytes(), ReadFile(path_).size());
    ASSERT_TRUE(log->Append("z").ok());
    ASSERT_TRUE(log->AppendBatch({"w1", "w2"}).ok());
    EXPECT_EQ(log->file_bytes(), ReadFile(path_).size());
  }
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"x", std::string("y\0", 2), "z", "w1", "w2"}));
  EXPECT_EQ(warning, "");
  {
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->Rewrite({}).ok());
    EXPECT_EQ(log->file_bytes(), UserLog::kHeaderBytes);
    // Rewriting a large state goes out in several chunks.
    std::vector<std::string> many;
    for (int i = 0; i < 3000; ++i) many.push_back(std::string(1000, static_cast<char>('a' + i % 26)));
    ASSERT_TRUE(log->Rewrite(many).ok());
    EXPECT_EQ(log->file_bytes(), ReadFile(path_).size());
    std::unique_ptr<UserLog> second;
    EXPECT_EQ(UserLog::Open(path_, &got, &warning, &second).code(), StatusCode::kIOError);  // still locked
  }
  EXPECT_EQ(Replay(&warning).size(), 3000u);
}

TEST_F(UserLogTest, StaleTemporaryFileIsRemovedAtOpen) {
  MakeLog({"a", "b"});
  WriteFile(path_ + ".tmp", Header(1) + "half of a rewrite");
  std::string warning = "x";
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(warning, "");
  EXPECT_FALSE(Exists(path_ + ".tmp"));
}

TEST_F(UserLogTest, FailedRewriteKeepsTheOldLogInUse) {
  std::vector<std::string> got;
  std::string warning;
  {
    std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->Append("a").ok());
    // The temporary file cannot be created: a directory has its name.
    ASSERT_EQ(::mkdir((path_ + ".tmp").c_str(), 0755), 0);
    const Status s = log->Rewrite({"new"});
    EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), path_ + ".tmp")) << s.ToString();
    ASSERT_TRUE(log->Append("b").ok());
    ASSERT_EQ(::rmdir((path_ + ".tmp").c_str()), 0);
  }
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"a", "b"}));
}

// Writes that fail part-way (here: the file size limit, RLIMIT_FSIZE) leave
// the file as it was, and the log stays usable.
TEST_F(UserLogTest, FailedWritesLeaveTheFileAsItWas) {
  std::vector<std::string> got;
  std::string warning;
  std::unique_ptr<UserLog> log = OpenOk(&got, &warning);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Append("kept").ok());
  const std::string before = ReadFile(path_);

  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  if (old_limit.rlim_max != RLIM_INFINITY && old_limit.rlim_max < before.size() + 10)
    GTEST_SKIP() << "RLIMIT_FSIZE's hard limit is too low";
  struct sigaction ignore = {}, old_action;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &old_action), 0);
  struct rlimit limit = old_limit;
  limit.rlim_cur = before.size() + 10;  // the frame header fits, its payload does not
  // No gtest output until the limit is lifted (stdout may be a file past it).
  const int set = ::setrlimit(RLIMIT_FSIZE, &limit);
  const Status append = log->Append(std::string(100, 'x'));
  const std::string after_append = ReadFile(path_);
  const Status batch = log->AppendBatch({"p", std::string(100, 'q')});
  const std::string after_batch = ReadFile(path_);
  const Status rewrite = log->Rewrite({"kept", std::string(100, 'r')});
  const bool tmp_left = Exists(path_ + ".tmp");
  const std::string after_rewrite = ReadFile(path_);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::sigaction(SIGXFSZ, &old_action, nullptr);

  ASSERT_EQ(set, 0);
  EXPECT_EQ(append.code(), StatusCode::kIOError) << append.ToString();
  EXPECT_EQ(after_append, before);
  EXPECT_EQ(batch.code(), StatusCode::kIOError) << batch.ToString();
  EXPECT_EQ(after_batch, before);
  EXPECT_EQ(rewrite.code(), StatusCode::kIOError) << rewrite.ToString();
  EXPECT_FALSE(tmp_left);
  EXPECT_EQ(after_rewrite, before);
  EXPECT_EQ(log->file_bytes(), before.size());
  ASSERT_TRUE(log->Append("then").ok());
  log.reset();
  EXPECT_EQ(Replay(&warning), (std::vector<std::string>{"kept", "then"}));
  EXPECT_EQ(warning, "");
}

TEST_F(UserLogTest, SecondOpenIsRefusedWhileTheFirstIsOpen) {
  std::vector<std::string> got;
  std::string warning;
  std::unique_ptr<UserLog> first = OpenOk(&got, &warning);
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->Append("a").ok());

  // The same process: flock locks belong to the open file description, so a
  // second open of the file conflicts too.
  std::unique_ptr<UserLog> second;
  Status s = UserLog::Open(path_, &got, &warning, &second);
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "in use by another process")) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), path_)) << s.ToString();
  EXPECT_EQ(second, nullptr);

  // Another process.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<std::string> r;
    std::string w;
    std::unique_ptr<UserLog> l;
    const Status cs = UserLog::Open(path_, &r, &w, &l);
    ::_exit(!cs.ok() && cs.message().find("in use by another process") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // The lock holder keeps working, also across a Rewrite (the new file is
  // locked before it takes the log's name).
  ASSERT_TRUE(first->Rewrite({"a", "b"}).ok());
  EXPECT_EQ(UserLog::Open(path_, &got, &warning, &second).code(), StatusCode::kIOError);
  ASSERT_TRUE(first->Append("c").ok());
  first.reset();  // closing releases the lock
  s = UserLog::Open(path_, &got, &warning, &second);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
}

// ---- SIGKILL at random instants ---------------------------------------------

// The child's operations, by index: a Rewrite at 3, 23, 43, ... (about
// every 27 records), a batch of 3 at 1, 6, 11, ..., otherwise one Append.
// The early Rewrite and batch are there so that slow disks (a few operations
// per round before the kill) still see every kind. Returns how many records
// operation i adds.
int RecordsAddedBy(int i) {
  if (i % 20 == 3) return 0;
  if (i % 5 == 1) return 3;
  return 1;
}

constexpr int kOpsPerRound = 200;

std::string RecordName(int round, uint32_t i) { return "r" + std::to_string(round) + "-" + std::to_string(i); }

// The child process: opens the log and runs the operations, writing the
// number of records acknowledged so far (uint32, 4 bytes: one atomic pipe
// write) after each returns OK. Never returns; exits with _exit (no gtest,
// no atexit handlers, no stdio flushing in the child). The test process is
// single-threaded here, so the allocations UserLog makes are safe after fork.
[[noreturn]] void RunChild(const std::string& path, int round, int ack_fd) {
  std::vector<std::string> have;
  std::string warning;
  std::unique_ptr<UserLog> log;
  if (!UserLog::Open(path, &have, &warning, &log).ok()) ::_exit(10);
  uint32_t acked = 0;
  for (int i = 0; i < kOpsPerRound; ++i) {
    const int n = RecordsAddedBy(i);
    Status s;
    if (n == 0) {
      s = log->Rewrite(have);  // everything it has so far: earlier rounds' records and its own
    } else if (n == 1) {
      const std::string r = RecordName(round, acked);
      s = log->Append(r);
      if (s.ok()) have.push_back(r);
    } else {
      const std::vector<std::string> batch = {RecordName(round, acked), RecordName(round, acked + 1),
                                              RecordName(round, acked + 2)};
      s = log->AppendBatch(batch);
      if (s.ok()) have.insert(have.end(), batch.begin(), batch.end());
    }
    if (!s.ok()) ::_exit(11);
    acked += static_cast<uint32_t>(n);
    if (::write(ack_fd, &acked, sizeof(acked)) != static_cast<ssize_t>(sizeof(acked))) ::_exit(12);
  }
  for (;;) ::pause();  // wait for the SIGKILL
}

// 200 rounds on one file that accumulates: each round a child appends
// "r<round>-<i>" records (singles, batches of 3, a Rewrite of everything
// every 20 operations) until it is killed with SIGKILL after a random 0-15
// ms; then the parent reopens the log and checks it exactly: the records of
// earlier rounds, then this round's r<round>-0 .. r<round>-(k-1), where k is
// the count the child acknowledged, or that count plus the records of the
// one operation in flight when it died (never part of a batch).
TEST(UserLogKill, AcknowledgedRecordsSurviveSigkill) {
  std::string dir = ::testing::TempDir();
  if (dir.empty() || dir.back() != '/') dir += '/';
  dir += "user_log_kill_XXXXXX";
  ASSERT_NE(::mkdtemp(&dir[0]), nullptr) << std::strerror(errno);
  struct RemoveDir {  // also when an assertion returns early
    std::string dir;
    ~RemoveDir() { ::nftw(dir.c_str(), RemoveEntry, 8, FTW_DEPTH | FTW_PHYS); }
  } remove_dir{dir};
  const std::string path = dir + "/user.log";

  const auto start = std::chrono::steady_clock::now();
  std::mt19937 rng(0x5EED1234u);
  std::uniform_int_distribution<int> sleep_us(0, 15000);
  std::vector<std::string> expected;  // the verified content after the previous round
  int torn = 0, in_flight_kept = 0, in_rewrite = 0, stale_tmp = 0;
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(path, round, fds[1]);
    }
    ::close(fds[1]);
    const int us = sleep_us(rng);
    struct timespec ts = {0, static_cast<long>(us) * 1000};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string acks;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n > 0) {
        acks.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child failed before it was killed: exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    ASSERT_EQ(acks.size() % 4, 0u);
    const int ops_done = static_cast<int>(acks.size() / 4);
    uint32_t acked = 0;
    if (ops_done > 0) std::memcpy(&acked, acks.data() + acks.size() - 4, 4);
    const uint32_t in_flight = ops_done < kOpsPerRound ? static_cast<uint32_t>(RecordsAddedBy(ops_done)) : 0;
    if (ops_done < kOpsPerRound && in_flight == 0) ++in_rewrite;

    if (Exists(path + ".tmp")) ++stale_tmp;  // killed inside a Rewrite, before its rename
    std::vector<std::string> got;
    std::string warning;
    std::unique_ptr<UserLog> log;
    const Status s = UserLog::Open(path, &got, &warning, &log);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (!warning.empty()) ++torn;
    EXPECT_FALSE(Exists(path + ".tmp"));
    ASSERT_GE(got.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "record " << i;
    const uint32_t k = static_cast<uint32_t>(got.size() - expected.size());
    ASSERT_TRUE(k == acked || k == acked + in_flight)
        << k << " records of this round; " << acked << " acknowledged, " << in_flight << " in flight";
    if (k > acked) ++in_flight_kept;
    for (uint32_t j = 0; j < k; ++j) ASSERT_EQ(got[expected.size() + j], RecordName(round, j));
    expected = std::move(got);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ UserLogKill ] 200 rounds in %.1f s: %zu records, %d torn tails dropped, %d in-flight operations "
      "kept, %d kills during a Rewrite (%d left a stale .tmp)\n",
      seconds, expected.size(), torn, in_flight_kept, in_rewrite, stale_tmp);
}

}  // namespace
}  // namespace engine
}  // namespace hunch
