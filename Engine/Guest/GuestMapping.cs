namespace Memcheck.Engine.Guest;

/// <summary>
/// One guest mapping as /proc/self/maps shows it: range, protection, and what backs it
/// (a file path, offset, device and inode, a pseudo-name such as "[heap]" or "[stack]", or null for
/// anonymous memory).
/// </summary>
public sealed record GuestMapping(ulong Start, ulong Length, PageProtection Protection, bool Shared, string? Path, long Offset,
    ulong Device = 0, ulong Inode = 0)
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

    /// <summary>The line /proc/self/maps shows for this mapping, without the newline.</summary>
    public override string ToString()
    {
        // glibc's makedev encoding: major in bits 8-19 and 32-43, minor in bits 0-7 and 12-31.
        ulong major = ((Device >> 8) & 0xfff) | ((Device >> 32) & ~0xfffUL);
        ulong minor = (Device & 0xff) | ((Device >> 12) & ~0xffUL);
        string line = $"{Start:x8}-{End:x8} {Protection.ToRwx()}{(Shared ? 's' : 'p')} {(IsFile ? Offset : 0):x8} {major:x2}:{minor:x2} {Inode} ";
        // The kernel pads the fixed columns to 72 characters, then one space before the name.
        return Path is null ? line : line.PadRight(72) + " " + Path;
    }
}
