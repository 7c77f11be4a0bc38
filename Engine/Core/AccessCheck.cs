using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// A tool's addressability map, checked by generated code (and the interpreter) before every guest load and
/// store in place of the page-ownership check. FIXED LAYOUT, read inline: <see cref="Primary"/> is an array of
/// 2^19 pointers indexed by address &gt;&gt; 28; each points to a middle table of 4096 pointers indexed by
/// (address &gt;&gt; 16) &amp; 0xFFF; each of those to a 16384-byte secondary with 2 bits per guest byte:
/// byte (address &amp; 0xFFFF) &gt;&gt; 2, bits 2 * (address &amp; 3). No pointer is null. A 2-bit value of 0
/// means the byte is not addressable; anything else means it is. Addresses at or above 2^47 are never
/// addressable and never indexed.
/// </summary>
/// <param name="SlowPath">
/// Called for an access with any byte not addressable (or that the fast path does not cover), with
/// a0 = address, a1 = size in bytes, a2 = 1 for a store and 0 for a load, and RIP (and every other guest
/// register) up to date at the accessing instruction. Returns 0 to perform the access (after whatever the
/// tool reported) or 1 to refuse it: the guest then gets SIGSEGV at that instruction, exactly as a refused
/// page check does. The tool only answers 0 for memory the guest owns with the needed protection.
/// </param>
/// <param name="SharedSecondaries">
/// Secondaries that many chunks share (Valgrind's distinguished ones) lie in [Start, Start + Length): generated
/// code reads them but never writes there (see <see cref="MapFill"/>).
/// </param>
public sealed record AccessCheck(nint Primary, IrHelper SlowPath, (nint Start, int Length) SharedSecondaries = default);
