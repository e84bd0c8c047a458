#if canImport(Glibc)
import Glibc
#endif

/// How this process asks glibc's allocator for memory.
///
/// An audit builds its holders, packed rows and SQLite pages on several threads, and glibc grows
/// each thread's arena a few pages at a time: a 100k-adapter audit with a database made about
/// 11,000 `mprotect` calls to grow its arenas. Asking for 64 MiB of headroom whenever an arena
/// grows (and keeping that much when memory is freed at its top) brings that to about 50. The
/// headroom is address space: only the pages an audit touches are resident.
enum MemoryTuning {
    static let headroom: Int32 = 64 << 20

    static func apply() {
        #if canImport(Glibc)
        // `mallopt` is in <malloc.h>, which Swift's Glibc module leaves out.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let topPad: Int32 = -2  // M_TOP_PAD
        _ = mallopt(topPad, headroom)
        #endif
    }
}
