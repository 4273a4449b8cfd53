#include "engine/user_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <utility>

#include "util/crc32c.h"
#include "util/file.h"
#include "util/strings.h"

// The crash-safety argument, in short (docs/format.md, "User dictionary
// file", has the format itself):
//
// * Appends only ever add bytes after the last good frame, and a frame counts
//   only when it is complete and its CRC-32C (over the length word and the
//   payload) matches. A crash mid-append therefore leaves at worst a partial
//   or garbled last frame, which replay recognises and drops. The checksum
//   covers the length word so that a block of zeros (what some file systems
//   show for data that never reached the disk) is not an intact empty record:
//   the CRC of an all-zero length word is not 0.
// * Open truncates the file to the last good frame (and syncs) before anyone
//   appends again. Without that, the next frame would be written after the
//   garbage, and replay, which stops at the first bad frame, would never see
//   it: an acknowledged record would be lost.
// * Append returns OK only after fdatasync, so an acknowledged record is on
//   the disk. A batch is one frame with one checksum, hence all or nothing.
// * Rewrite writes the new state to path.tmp, fsyncs it, renames it over the
//   log and then fsyncs the directory. rename is atomic (the name points to
//   the old or the new file, never to a mixture), and the fsync of the file
//   first makes sure the name never points to a file whose data is not on
//   the disk yet. The rename itself is a change to the directory, durable
//   only once the directory is synced: before that a crash could bring the
//   old file back, losing records appended to the new one after Rewrite
//   returned. So Rewrite returns OK, and appends continue, only after the
//   directory fsync.

namespace hunch {
namespace engine {

namespace {

using internal::Format;

// ---- little-endian integers -------------------------------------------------

void AppendLE32(uint32_t v, std::string* out) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out->append(b, 4);
}

uint32_t LoadLE32(const char* p) {
  const unsigned char* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(u[0]) | static_cast<uint32_t>(u[1]) << 8 | static_cast<uint32_t>(u[2]) << 16 |
         static_cast<uint32_t>(u[3]) << 24;
}

// ---- the format ---------------------------------------------------------------

constexpr char kMagic[8] = {'H', 'U', 'N', 'C', 'H', 'U', 'S', 'R'};

std::string EncodeHeader() {
  std::string h(kMagic, sizeof(kMagic));
  AppendLE32(UserLog::kFormatVersion, &h);
  AppendLE32(0, &h);  // reserved
  return h;
}

// The checksum of a frame: CRC-32C of its length word (4 bytes LE), then its payload.
uint32_t FrameCrc(const char* length_word, std::string_view payload) {
  return internal::Crc32cExtend(internal::Crc32c(length_word, 4), payload.data(), payload.size());
}

void AppendFrame(uint32_t length_word, std::string_view payload, std::string* out) {
  const size_t start = out->size();
  AppendLE32(length_word, out);
  const uint32_t crc = FrameCrc(out->data() + start, payload);
  AppendLE32(crc, out);
  out->append(payload.data(), payload.size());
}

// A batch payload: count (uint32 LE), then count times (length uint32 LE,
// bytes). True when `payload` is exactly that, with count >= 1 and each
// record within kMaxRecordBytes.
bool DecodeBatch(std::string_view payload, std::vector<std::string>* out) {
  if (payload.size() < 4) return false;
  const uint32_t count = LoadLE32(payload.data());
  if (count == 0) return false;
  size_t pos = 4;
  for (uint32_t i = 0; i < count; ++i) {
    if (payload.size() - pos < 4) return false;
    const uint32_t len = LoadLE32(payload.data() + pos);
    pos += 4;
    if (len > UserLog::kMaxRecordBytes || payload.size() - pos < len) return false;
    out->emplace_back(payload.substr(pos, len));
    pos += len;
  }
  return pos == payload.size();
}

// Replays the frames of `data` from `pos` into *records. Returns the end of
// the last intact frame; when it is short of data.size(), *problem says why
// the frame there was not accepted.
size_t ScanFrames(std::string_view data, size_t pos, std::vector<std::string>* records, std::string* problem) {
  std::vector<std::string> batch;
  while (pos < data.size()) {
    const size_t left = data.size() - pos;
    if (left < UserLog::kFrameHeaderBytes) {
      *problem = Format("a partial frame header (%zu of %zu bytes)", left, UserLog::kFrameHeaderBytes);
      return pos;
    }
    const uint32_t word = LoadLE32(data.data() + pos);
    const uint32_t stored_crc = LoadLE32(data.data() + pos + 4);
    const bool is_batch = (word & UserLog::kBatchFlag) != 0;
    const uint32_t len = word & ~UserLog::kBatchFlag;
    const size_t limit = is_batch ? UserLog::kMaxBatchBytes : UserLog::kMaxRecordBytes;
    if (len > limit) {
      *problem = Format("a %s length of %u bytes, over the limit of %zu", is_batch ? "batch" : "record", len, limit);
      return pos;
    }
    if (left - UserLog::kFrameHeaderBytes < len) {
      *problem = Format("a partial %s (%zu of %u bytes)", is_batch ? "batch" : "record",
                        left - UserLog::kFrameHeaderBytes, len);
      return pos;
    }
    const std::string_view payload = data.substr(pos + UserLog::kFrameHeaderBytes, len);
    const uint32_t crc = FrameCrc(data.data() + pos, payload);
    if (crc != stored_crc) {
      *problem = Format("a checksum mismatch (stored 0x%08x, computed 0x%08x)", stored_crc, crc);
      return pos;
    }
    if (is_batch) {
      batch.clear();
      if (!DecodeBatch(payload, &batch)) {
        // A good checksum over a malformed batch: a writer bug or a checksum collision.
        *problem = "a malformed batch";
        return pos;
      }
      for (std::string& r : batch) records->push_back(std::move(r));
    } else {
      records->emplace_back(payload);
    }
    pos += UserLog::kFrameHeaderBytes + len;
  }
  return pos;
}

// ---- POSIX helpers (0 or an errno value) ------------------------------------

int WriteAll(int fd, const char* data, size_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;  // no progress: do not spin
    data += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return 0;
}

// Reads the whole file (up to EOF) into *out.
int ReadAll(int fd, std::string* out) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return errno;
  out->resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out->size()) {
    const ssize_t n = ::pread(fd, &(*out)[got], out->size() - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  return 0;
}

// fdatasync where there is one: the data and the metadata needed to read it
// back (the file size), not the timestamps.
int SyncData(int fd) {
  for (;;) {
#if defined(__APPLE__)
    const int r = ::fsync(fd);
#else
    const int r = ::fdatasync(fd);
#endif
    if (r == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

int SyncAll(int fd) {
  for (;;) {
    if (::fsync(fd) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

int Truncate(int fd, uint64_t size) {
  for (;;) {
    if (::ftruncate(fd, static_cast<off_t>(size)) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

int LockExclusive(int fd) {
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes the directory entries of `path`'s directory durable (a created file,
// a rename).
Status SyncDirectory(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return Status::IOError(Format("%s: cannot open the directory to sync it: %s", path.c_str(), std::strerror(errno)));
  int err = SyncAll(dfd);
  if (err == EINVAL) err = 0;  // a file system that cannot sync directories (and needs not)
  ::close(dfd);
  if (err != 0) return Status::IOError(Format("%s: cannot sync the directory: %s", path.c_str(), std::strerror(err)));
  return Status::OK();
}

std::string ErrorText(const std::string& path, const char* what, int err) {
  return Format("%s: %s: %s", path.c_str(), what, std::strerror(err));
}

// Opens (creating) `path` and takes its exclusive lock; *fd on success.
Status OpenLocked(const std::string& path, int* fd_out) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    // A FIFO, directory or device at `path` is refused without blocking.
    int fd;
    HUNCH_RETURN_IF_ERROR(internal::OpenRegularFile(path, O_RDWR | O_CREAT, &fd));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(ErrorText(path, "cannot stat", err));
    }
    const int err = LockExclusive(fd);
    if (err != 0) {
      ::close(fd);
      if (err == EWOULDBLOCK) return Status::IOError(path + ": in use by another process (the user log is locked)");
      return Status::IOError(ErrorText(path, "cannot lock", err));
    }
    // The lock belongs to the file (inode) we opened. The previous holder may
    // have renamed a Rewrite over `path` between our open and our flock and
    // then closed the old file, releasing its lock: we would hold the lock of
    // a file that is no longer the log. So check that `path` still names the
    // locked file, and start again if not.
    struct stat now;
    if (::stat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
      *fd_out = fd;
      return Status::OK();
    }
    ::close(fd);
  }
  return Status::IOError(path + ": in use by another process (the file keeps being replaced)");
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Status UserLog::Open(const std::string& path, std::vector<std::string>* records, std::string* warning,
                     std::unique_ptr<UserLog>* log) {
  if (!records || !warning || !log) return Status::InvalidArgument("UserLog::Open: a null output pointer");
  records->clear();
  warning->clear();
  log->reset();
  if (path.empty()) return Status::InvalidArgument("UserLog::Open: an empty path");

  int fd = -1;
  HUNCH_RETURN_IF_ERROR(OpenLocked(path, &fd));
  FdCloser closer(fd);
  std::string data;
  if (const int err = ReadAll(fd, &data)) return Status::IOError(ErrorText(path, "cannot read", err));

  // Nothing is written before the header is known to be ours: a file that is
  // not a user log is left exactly as it was.
  const std::string header = EncodeHeader();
  uint64_t end = 0;
  if (data.size() < kHeaderBytes) {
    // 0 bytes, or the start of our header: creation (open, write the header,
    // sync) was interrupted. There can be no records; start a new log.
    if (data.compare(0, data.size(), header, 0, data.size()) != 0)
      return Status::Corruption(
          Format("%s: not a hunch user log (%zu bytes, shorter than the header)", path.c_str(), data.size()));
    if (!data.empty())
      *warning = Format("%s: dropped %zu bytes from offset 0 (an incomplete header from an interrupted creation)",
                        path.c_str(), data.size());
    if (const int err = WriteAll(fd, header.data(), header.size(), 0))
      return Status::IOError(ErrorText(path, "cannot write the header", err));
    if (const int err = SyncAll(fd)) return Status::IOError(ErrorText(path, "cannot sync", err));
    // The file may be new: its directory entry must be durable too.
    HUNCH_RETURN_IF_ERROR(SyncDirectory(path));
    end = kHeaderBytes;
  } else {
    if (std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
      return Status::Corruption(path + ": not a hunch user log (bad magic; expected \"HUNCHUSR\")");
    const uint32_t version = LoadLE32(data.data() + sizeof(kMagic));
    if (version == 0) return Status::Corruption(path + ": not a hunch user log (format version 0)");
    if (version > kFormatVersion)
      return Status::Unsupported(Format("%s: the user log has format version %u; this library reads up to version %u",
                                        path.c_str(), version, kFormatVersion));
    std::string problem;
    end = ScanFrames(data, kHeaderBytes, records, &problem);
    if (end < data.size()) {
      // Cut the bad tail off before anything is appended: a frame written
      // after it would never be replayed (replay stops at the first bad
      // frame). Synced, so that a crash cannot bring the tail back in front
      // of later appends.
      *warning = Format("%s: dropped %zu bytes from offset %llu (%s); %zu records kept", path.c_str(),
                        data.size() - static_cast<size_t>(end), static_cast<unsigned long long>(end), problem.c_str(),
                        records->size());
      int err = Truncate(fd, end);
      if (err == 0) err = SyncAll(fd);
      if (err != 0) {
        records->clear();
        warning->clear();
        return Status::IOError(ErrorText(path, "cannot cut off the damaged tail", err));
      }
    }
  }

  // A temporary file left by a Rewrite that crashed before its rename: the
  // log is the old file, complete; the temporary one is garbage. (Only the
  // lock holder writes it, and we hold the lock.) Removing it needs no
  // directory sync: if it comes back after a crash, the next Open removes it.
  ::unlink((path + ".tmp").c_str());

  log->reset(new UserLog(path, closer.release(), end));
  return Status::OK();
}

UserLog::~UserLog() {
  if (fd_ >= 0) ::close(fd_);
}

Status UserLog::Append(std::string_view record) {
  if (record.size() > kMaxRecordBytes)
    return Status::InvalidArgument(
        Format("%s: a record of %zu bytes is over the limit of %zu", path_.c_str(), record.size(), kMaxRecordBytes));
  std::string frame;
  frame.reserve(kFrameHeaderBytes + record.size());
  AppendFrame(static_cast<uint32_t>(record.size()), record, &frame);
  return AppendFrames(frame);
}

Status UserLog::AppendBatch(const std::vector<std::string>& records) {
  if (records.empty()) return Status::OK();
  size_t payload_bytes = 4;
  for (const std::string& r : records) {
    if (r.size() > kMaxRecordBytes)
      return Status::InvalidArgument(
          Format("%s: a record of %zu bytes is over the limit of %zu", path_.c_str(), r.size(), kMaxRecordBytes));
    payload_bytes += 4 + r.size();
    if (payload_bytes > kMaxBatchBytes)
      return Status::InvalidArgument(Format("%s: a batch of %zu records is over the limit of %zu bytes", path_.c_str(),
                                            records.size(), kMaxBatchBytes));
  }
  std::string payload;
  payload.reserve(payload_bytes);
  AppendLE32(static_cast<uint32_t>(records.size()), &payload);
  for (const std::string& r : records) {
    AppendLE32(static_cast<uint32_t>(r.size()), &payload);
    payload += r;
  }
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  AppendFrame(kBatchFlag | static_cast<uint32_t>(payload.size()), payload, &frame);
  return AppendFrames(frame);
}

Status UserLog::AppendFrames(const std::string& frames) {
  if (broken_)
    return Status::IOError(path_ +
                           ": an earlier failed append could not be rolled back; no appends until a Rewrite succeeds");
  if (dir_sync_pending_) {
    // The last Rewrite's rename is not known to be durable: appending to the
    // new file before it is would risk acknowledging records a crash loses.
    HUNCH_RETURN_IF_ERROR(SyncDirectory(path_));
    dir_sync_pending_ = false;
  }
  const char* what = "cannot append";
  int err = WriteAll(fd_, frames.data(), frames.size(), file_bytes_);
  if (err == 0) {
    what = "cannot sync an append";
    err = SyncData(fd_);
  }
  if (err == 0) {
    file_bytes_ += frames.size();
    return Status::OK();
  }
  // Roll back: cut off whatever part of the frame reached the file, so that
  // the file is as it was and the next append starts at a frame boundary.
  // The sync is best effort: should the cut not reach the disk before a
  // crash, the failed frame is like one killed mid-append (dropped when torn,
  // kept when whole). If the cut itself fails, the end of the file is
  // unknown: refuse appends from now on (a Rewrite starts a fresh file).
  if (Truncate(fd_, file_bytes_) == 0) {
    SyncData(fd_);
  } else {
    broken_ = true;
  }
  return Status::IOError(ErrorText(path_, what, err));
}

Status UserLog::Rewrite(const std::vector<std::string>& records) {
  for (const std::string& r : records)
    if (r.size() > kMaxRecordBytes)
      return Status::InvalidArgument(
          Format("%s: a record of %zu bytes is over the limit of %zu", path_.c_str(), r.size(), kMaxRecordBytes));

  const std::string tmp = path_ + ".tmp";
  const int tfd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (tfd < 0) return Status::IOError(ErrorText(tmp, "cannot create", errno));
  auto fail = [&](const char* what, int err) {
    ::close(tfd);
    ::unlink(tmp.c_str());
    return Status::IOError(ErrorText(tmp, what, err));
  };
  // Lock the new file before its name becomes the log's: whoever opens the
  // log after the rename must find it locked.
  if (const int err = LockExclusive(tfd)) return fail("cannot lock", err);

  // Header and frames, written in chunks of about 1 MiB.
  std::string chunk = EncodeHeader();
  uint64_t offset = 0;
  for (size_t i = 0; i <= records.size(); ++i) {
    if (i < records.size()) AppendFrame(static_cast<uint32_t>(records[i].size()), records[i], &chunk);
    if (chunk.size() >= (size_t{1} << 20) || (i == records.size() && !chunk.empty())) {
      if (const int err = WriteAll(tfd, chunk.data(), chunk.size(), offset)) return fail("cannot write", err);
      offset += chunk.size();
      chunk.clear();
    }
  }
  // The data must be on the disk before the name points to it.
  if (const int err = SyncAll(tfd)) return fail("cannot sync", err);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail("cannot rename over the log", errno);

  // The new file is the log from here on (the old one is unlinked; closing it
  // drops its lock, which guards nothing any more).
  ::close(fd_);
  fd_ = tfd;
  file_bytes_ = offset;
  broken_ = false;
  const Status synced = SyncDirectory(path_);
  if (!synced.ok()) {
    dir_sync_pending_ = true;
    return Status::IOError(synced.message() +
                           " (the rewritten log is in place, but a crash may bring the old one back; the next append "
                           "retries the sync)");
  }
  dir_sync_pending_ = false;
  return Status::OK();
}

}  // namespace engine
}  // namespace hunch
