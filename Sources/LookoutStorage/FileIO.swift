#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Test hook: makes `FileIO` writes to matching paths fail with an errno, as a full disk would.
/// Rules are keyed by the path fragment they match, so tests on their own directories can inject
/// and clear faults in parallel.
final class FileFaults: Sendable {
    private let rules = Mutex<[String: Int32]>([:])
    /// While set, every fsync of a path containing it is recorded in `fsynced`, in order.
    let fsyncWatch = Mutex<(pathContains: String, fsynced: [String])?>(nil)

    /// From now on, writes to paths containing `pathContains` fail with `errno`.
    func inject(_ pathContains: String, errno: Int32) { rules.withLock { $0[pathContains] = errno } }

    func clear(_ pathContains: String) { rules.withLock { _ = $0.removeValue(forKey: pathContains) } }

    func check(_ path: String) -> Int32? {
        rules.withLock { r in r.isEmpty ? nil : r.first { path.contains($0.key) }?.value }
    }

    func recordFsync(_ path: String) {
        fsyncWatch.withLock { w in
            if let pattern = w?.pathContains, path.contains(pattern) { w?.fsynced.append(path) }
        }
    }
}

/// Thin POSIX wrappers that turn `errno` into `StorageError`s naming the file.
enum FileIO {
    /// Faults tests inject (`FileFaults`); none otherwise.
    static let faults = FileFaults()

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        let fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
        if fd < 0 { throw error("open", path) }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        if let injected = faults.check(path) {
            errno = injected
            throw error("write", path)
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw error("write", path)
            }
            done += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw error("fsync", path) }
        faults.recordFsync(path)
    }

    static func close(_ fd: Int32) {
        Glibc.close(fd)
    }

    /// Removes a file; one that is already gone is not an error.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw error("unlink", path) }
    }

    /// Removes a directory and everything in it; one that is already gone is not an error.
    static func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw StorageError(.io, "cannot remove \(path): \(error)", file: path)
        }
    }

    /// Opens (creating) `path` and takes a POSIX write lock on it, held until the descriptor is
    /// closed or the process dies; throws when another process holds it.
    static func lockFile(_ path: String) throws -> Int32 {
        let fd = try open(path, flags: O_RDWR | O_CREAT)
        if lockf(fd, F_TLOCK, 0) != 0 {
            let failure = error("lock", path)
            Glibc.close(fd)
            throw failure
        }
        return fd
    }

    /// Opens `path`, fsyncs it and closes it (after a truncate, before anything depends on it).
    static func fsync(path: String) throws {
        let fd = try open(path, flags: O_RDWR)
        defer { Glibc.close(fd) }
        try fsync(fd, path: path)
    }

    /// Fsyncs a directory so that file creations, renames and deletions in it are durable.
    static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        try fsync(fd, path: path)
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old file or the complete new one:
    /// writes `<path>.tmp`, fsyncs it, renames it over `path` and fsyncs the directory. On failure the
    /// temp file is removed and `path` is untouched.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = try open(tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(fd, bytes, path: tmp)
            try fsync(fd, path: tmp)
        } catch {
            Glibc.close(fd)
            unlink(tmp)
            throw error
        }
        Glibc.close(fd)
        if rename(tmp, path) != 0 {
            let failure = error("rename", tmp)
            unlink(tmp)
            throw failure
        }
        try fsyncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func truncate(_ path: String, to length: Int64) throws {
        if path.withCString({ Glibc.truncate($0, off_t(length)) }) != 0 { throw error("truncate", path) }
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { Glibc.close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw error("fstat", path) }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = out.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, size - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path)
            }
            if n == 0 { break }
            done += n
        }
        if done < size { out.removeLast(size - done) }
        return out
    }

    static func pread(_ fd: Int32, count: Int, offset: Int64, path: @autoclosure () -> String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("read", path())
            }
            if n == 0 { throw StorageError(.corruption, "unexpected end of file", file: path(), offset: offset + Int64(done)) }
            done += n
        }
        return out
    }

    static func size(_ path: String) -> Int64 {
        var st = stat()
        if path.withCString({ stat($0, &st) }) != 0 { return 0 }
        return Int64(st.st_size)
    }

    static func error(_ op: String, _ path: String) -> StorageError {
        let code = errno
        return StorageError(.io, "\(op) failed: \(String(cString: strerror(code))) (errno \(code))", file: path)
    }
}
