// UserLog: the crash-safe, append-only record log the user dictionary keeps
// its changes in. The dictionary encodes each change as an opaque byte string
// (a "record": any bytes, NUL and newlines included, up to kMaxRecordBytes);
// the log stores, checksums and replays them and knows nothing of their
// meaning.
//
// Guarantees, for a process that may be killed (or a device that may lose
// power) at any instant:
//   * A record whose Append (or AppendBatch, or Rewrite) returned OK is
//     replayed by every later Open, in order.
//   * Open never replays a record that was never given to the log, nor a
//     damaged one: a record counts only when it is complete and its checksum
//     matches. A torn or corrupt tail is dropped (and cut off the file) with
//     a warning.
//   * An AppendBatch is all-or-nothing.
//   * A Rewrite (compaction) replaces the log atomically: after a crash the
//     file holds either the old records or exactly the new ones.
//
// The file format is in docs/format.md ("User dictionary file"). Only one
// UserLog may have a file open at a time (an exclusive flock); a second Open,
// from this process or another, is refused.
//
// Thread safety: none; the owner serialises calls.
#ifndef HUNCH_ENGINE_USER_LOG_H_
#define HUNCH_ENGINE_USER_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hunch/status.h"

namespace hunch {
namespace engine {

class UserLog {
 public:
  // Longest record, in bytes.
  static constexpr size_t kMaxRecordBytes = size_t{1} << 20;
  // Longest batch frame payload (a count, then each record with its length).
  static constexpr size_t kMaxBatchBytes = size_t{16} << 20;
  // The format this library writes and the newest it reads.
  static constexpr uint32_t kFormatVersion = 1;
  // "HUNCHUSR", version (uint32 LE), reserved (uint32 LE, 0).
  static constexpr size_t kHeaderBytes = 16;
  // Each frame: length word (uint32 LE), CRC-32C (uint32 LE), payload.
  static constexpr size_t kFrameHeaderBytes = 8;
  // Set in a frame's length word when the frame is a batch.
  static constexpr uint32_t kBatchFlag = uint32_t{1} << 31;

  // Opens `path`, creating an empty log when it does not exist (the
  // directory must exist). A file of 0 bytes, or a shorter file whose bytes
  // are the start of this version's header (creation interrupted by a
  // crash), becomes a new empty log.
  //
  // *records receives every intact record in order. A torn or corrupt tail
  // (a partial frame, a bad checksum, a bad length, a malformed batch) is
  // dropped: the file is truncated to the end of the last good frame and
  // synced, and *warning says what was dropped; otherwise *warning is empty.
  // Damage in the middle of the file drops everything from the damaged frame
  // on (frames carry no resynchronisation marks).
  //
  // A file that is not a user log is an error that names the path and the
  // reason, and the file is left untouched: kCorruption for a wrong magic, a
  // version-0 header or a short file that is not the start of a header,
  // kUnsupported for a header from a newer format version, kInvalidArgument
  // for something that is not a regular file. A file another UserLog holds
  // (in this process or another) is a kIOError "in use by another process".
  // A stale `path`.tmp left by a crash during Rewrite is removed.
  static Status Open(const std::string& path, std::vector<std::string>* records, std::string* warning,
                     std::unique_ptr<UserLog>* log);
  ~UserLog();  // closes the file, which releases the lock

  UserLog(const UserLog&) = delete;
  UserLog& operator=(const UserLog&) = delete;

  // Appends one record and makes it durable (written in full, then
  // fdatasync) before returning OK. On failure the file is truncated back to
  // its previous length and an error is returned; kInvalidArgument (nothing
  // written) for a record over kMaxRecordBytes.
  Status Append(std::string_view record);
  // Appends `records` as one batch frame with one checksum and one
  // fdatasync: after a crash either all of them are in the file or none.
  // An empty batch writes nothing. kInvalidArgument for a record over
  // kMaxRecordBytes or a batch over kMaxBatchBytes.
  Status AppendBatch(const std::vector<std::string>& records);
  // Compaction: replaces the whole log by `records` through `path`.tmp
  // (written, fsynced, renamed over the log, directory fsynced); later
  // appends go to the new file. On failure before the rename the old file is
  // intact and still in use, and the temporary file is removed.
  Status Rewrite(const std::vector<std::string>& records);

  uint64_t file_bytes() const { return file_bytes_; }
  const std::string& path() const { return path_; }

 private:
  UserLog(std::string path, int fd, uint64_t file_bytes) : path_(std::move(path)), fd_(fd), file_bytes_(file_bytes) {}

  // Writes `frames` at the end of the file and syncs; rolls back on failure.
  Status AppendFrames(const std::string& frames);

  std::string path_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;
  // A failed append whose rollback (ftruncate) failed too: the end of the
  // file is unknown, so appends are refused until a Rewrite succeeds.
  bool broken_ = false;
  // A Rewrite renamed its file into place but could not sync the directory:
  // the rename may not survive a crash, so the next append syncs the
  // directory first and fails (writing nothing) if it still cannot.
  bool dir_sync_pending_ = false;
};

}  // namespace engine
}  // namespace hunch

#endif  // HUNCH_ENGINE_USER_LOG_H_
