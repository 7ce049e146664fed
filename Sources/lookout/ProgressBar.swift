import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    let label: String
    let total: Int64
    let enabled = isatty(STDERR_FILENO) != 0
    private var lastDrawn = -1

    init(label: String, total: Int64) {
        self.label = label
        self.total = max(total, 1)
    }

    mutating func update(_ done: Int64) {
        guard enabled else { return }
        let percent = Int(min(done, total) * 100 / total)
        guard percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(percent)%".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
