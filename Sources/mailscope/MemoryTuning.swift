#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide memory settings for the unattended commands.
enum MemoryTuning {
    /// One malloc arena for the whole process. glibc gives each thread that finds the heap busy an
    /// arena of its own (up to 8 per core); the re-check's answers are parsed on the concurrency
    /// pool's threads, so pages freed in one arena could not serve the next page parsed in another.
    /// Measured on the 10,000-member re-check (release): the heap's peak 22 MB with the default,
    /// 14 MB with one arena, at the same wall time (the heap is never the contended part: the
    /// requests are).
    static func useOneArena() {
        #if canImport(Glibc)
            // mallopt(3) is in <malloc.h>, which the Glibc module does not import.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let arenaMaximum: Int32 = -8  // M_ARENA_MAX
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaximum, 1)
        #endif
    }
}
