namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>Which family allocated a block, so a mismatched free/delete/delete[] can be reported.</summary>
public enum AllocKind
{
    Malloc,
    New,
    NewArray,
    /// <summary>A block of the client's own allocator (VALGRIND_MALLOCLIKE_BLOCK): its memory is the client's.</summary>
    Custom,
}
