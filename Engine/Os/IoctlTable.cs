namespace Memcheck.Engine.Os;

/// <summary>
/// What an ioctl request's third argument points to: how many bytes the kernel reads and writes there, and the
/// request's name in Valgrind's messages ("Syscall param ioctl(TCSET{S,SW,SF}) points to uninitialised byte(s)").
/// </summary>
public readonly record struct IoctlLayout(uint Request, string Name, int ReadSize, int WriteSize);

/// <summary>
/// Memory an ioctl request touches through its third argument. Requests built with the kernel's _IOC macro
/// carry direction and size in their bits, and Valgrind names them "generic"; the terminal requests older than
/// that encoding (numbers from asm-generic/ioctls.h) are listed here. Sizes are the kernel's: struct termios is
/// 36 bytes to the kernel, 60 to glibc. TIOCSPGRP's read is left out, as Valgrind does not check it.
/// </summary>
public static class IoctlTable
{
    private const string TcsetsName = "TCSET{S,SW,SF}", TcsetaName = "TCSET{A,AW,AF}";

    private static readonly Dictionary<uint, IoctlLayout> Legacy = new IoctlLayout[]
    {
        new(0x5401, "TCGETS", 0, 36), new(0x5402, TcsetsName, 36, 0), new(0x5403, TcsetsName, 36, 0),
        new(0x5404, TcsetsName, 36, 0), new(0x5405, "TCGETA", 0, 18), new(0x5406, TcsetaName, 18, 0),
        new(0x5407, TcsetaName, 18, 0), new(0x5408, TcsetaName, 18, 0), new(0x5409, "TCSBRK", 0, 0),
        new(0x540A, "TCXONC", 0, 0), new(0x540B, "TCFLSH", 0, 0), new(0x540E, "TIOCSCTTY", 0, 0),
        new(0x540F, "TIOCGPGRP", 0, 4), new(0x5410, "TIOCSPGRP", 0, 0), new(0x5411, "TIOCOUTQ", 0, 4),
        new(0x5413, "TIOCGWINSZ", 0, 8), new(0x5414, "TIOCSWINSZ", 8, 0), new(0x5415, "TIOCMGET", 0, 4),
        new(0x541B, "FIONREAD", 0, 4), new(0x5421, "FIONBIO", 4, 0), new(0x5422, "TIOCNOTTY", 0, 0),
        new(0x5429, "TIOCGSID", 0, 4), new(0x5450, "FIONCLEX", 0, 0), new(0x5451, "FIOCLEX", 0, 0),
        new(0x5452, "FIOASYNC", 4, 0), new(0x5460, "FIOQSIZE", 0, 8),
    }.ToDictionary(layout => layout.Request);

    /// <summary>The layout of a request; null when it is neither listed nor _IOC-encoded (unknown).</summary>
    public static IoctlLayout? Find(ulong request)
    {
        uint code = (uint)request; // the kernel takes the request as an unsigned int
        if (Legacy.TryGetValue(code, out var layout)) return layout;
        // _IOC: bits 0-7 number, 8-15 type, 16-29 size, 30-31 direction (1: the kernel reads, 2: it writes).
        uint direction = code >> 30, size = (code >> 16) & 0x3FFF;
        if (direction == 0 || size == 0) return null;
        return new IoctlLayout(code, "generic", (direction & 1) != 0 ? (int)size : 0, (direction & 2) != 0 ? (int)size : 0);
    }
}
