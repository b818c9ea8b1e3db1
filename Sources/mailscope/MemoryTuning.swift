#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide memory settings for the unattended commands.
enum MemoryTuning {
    /// One malloc arena for the whole process, set before any other thread allocates. glibc gives
    /// each thread that finds the heap busy an arena of its own (up to 8 per core); the re-check
    /// parses its answers on the concurrency pool's threads, so memory freed in one arena did not
    /// serve the next page parsed in another. Measured on the 10,000-member re-check (release,
    /// the same binary with `MALLOC_ARENA_MAX=1` and without): anonymous memory at the peak 21.4 MB
    /// against 24.8–26.7 MB, at the same wall time. Called later (in `check`'s `run`), it made no
    /// steady difference: the pool's threads had their arenas by then.
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
