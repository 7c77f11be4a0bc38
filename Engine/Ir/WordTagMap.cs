namespace Memcheck.Engine.Ir;

/// <summary>
/// A tool's map of 32-bit tags over guest memory, one per aligned 4-byte word, read and written by generated code
/// (see <see cref="TagMapAccess"/> and <see cref="MapFill.Tags"/>). FIXED LAYOUT: the primary holds
/// <see cref="AddressabilityMap.PrimaryEntries"/> pointers indexed by address &gt;&gt; 28, each to a middle table of
/// 4096 pointers indexed by (address &gt;&gt; 16) &amp; 0xFFF, each to the secondary of one 64 KiB chunk: 16384 tags
/// (word (address &amp; 0xFFFF) &gt;&gt; 2) and then, at <see cref="MasksOffset"/>, 16384 mask bytes whose bit
/// address &amp; 3 marks the word's bytes that carry its tag. No pointer is null. Chunks without tags share one
/// all-zero secondary that generated code never writes; the primary's entry one past the last holds its address.
/// Memory at or above 2^47 has no tags. Memcheck's origin tags are such a map.
/// </summary>
public static class WordTagMap
{
    public const int WordsPerChunk = (AddressabilityMap.ChunkMask + 1) / 4;
    public const int MasksOffset = WordsPerChunk * sizeof(uint);
    public const int SecondaryBytes = MasksOffset + WordsPerChunk;
    /// <summary>The primary's entry holding the shared all-zero secondary.</summary>
    public const int ZeroSecondaryEntry = (int)AddressabilityMap.PrimaryEntries;
}
