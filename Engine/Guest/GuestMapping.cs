namespace Memcheck.Engine.Guest;

/// <summary>
/// One guest mapping as /proc/self/maps shows it: range, protection, and what backs it
/// (a file path and offset, a pseudo-name such as "[heap]" or "[stack]", or null for anonymous memory).
/// </summary>
public sealed record GuestMapping(ulong Start, ulong Length, PageProtection Protection, bool Shared, string? Path, long Offset)
{
    public ulong End => Start + Length;

    public bool IsFile => Path is not null && !Path.StartsWith('[');

    /// <summary>The part of this mapping inside [start, end), keeping file offsets in step.</summary>
    public GuestMapping Slice(ulong start, ulong end)
    {
        ulong s = Math.Max(start, Start), e = Math.Min(end, End);
        return this with { Start = s, Length = e - s, Offset = IsFile ? Offset + (long)(s - Start) : 0 };
    }

    /// <summary>Whether <paramref name="next"/> continues this mapping so the kernel would show them as one.</summary>
    public bool Continues(GuestMapping next) =>
        End == next.Start && Protection == next.Protection && Shared == next.Shared && Path == next.Path
        && (!IsFile || Offset + (long)Length == next.Offset);

    public override string ToString() =>
        $"{Start:x}-{End:x} {Protection.ToRwx()}{(Shared ? 's' : 'p')} {(IsFile ? Offset : 0):x8} {Path}";
}
