using System.Security.Cryptography;
using System.Text;

namespace Memcheck.Engine.Guest;

/// <summary>
/// Writes the process's initial stack as Linux's execve leaves it: strings at the top (argv, then
/// envp, then the exec file name, then an 8-byte NULL at the very top), the 16-byte-aligned
/// platform string and AT_RANDOM bytes below them, then argc, argv[], NULL, envp[], NULL and the
/// auxiliary vector, with rsp (pointing at argc) 16-byte aligned.
/// </summary>
internal static unsafe class InitialStack
{
    public const string Platform = "x86_64";

    /// <summary>
    /// Build the stack below <paramref name="top"/> (the end of writable stack memory). The values of
    /// AT_EXECFN, AT_PLATFORM and AT_RANDOM in <paramref name="auxv"/> are filled in with the
    /// addresses of what this writes; AT_NULL is appended. Returns rsp and the final auxv.
    /// </summary>
    public static (ulong Rsp, List<(ulong Type, ulong Value)> Auxv) Build(
        ulong top, IReadOnlyList<string> argv, IReadOnlyList<string> envp, string execFn, IEnumerable<(ulong Type, ulong Value)> auxv)
    {
        ulong p = top - 8;
        Write(p, stackalloc byte[8]);
        ulong execFnAddress = p = PushString(p, execFn);
        var envAddresses = PushStrings(ref p, envp);
        var argAddresses = PushStrings(ref p, argv);

        p &= ~15UL;
        ulong platformAddress = p = PushString(p, Platform);
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        p -= 16;
        Write(p, random);
        ulong randomAddress = p;

        var vector = auxv.Select(e => (e.Type, e.Type switch
        {
            AuxvType.ExecFn => execFnAddress,
            AuxvType.Platform => platformAddress,
            AuxvType.Random => randomAddress,
            _ => e.Value,
        })).Append((AuxvType.Null, 0UL)).ToList();

        var words = new List<ulong> { (ulong)argv.Count };
        words.AddRange(argAddresses);
        words.Add(0);
        words.AddRange(envAddresses);
        words.Add(0);
        foreach (var (type, value) in vector) { words.Add(type); words.Add(value); }

        ulong rsp = (p - (ulong)words.Count * 8) & ~15UL;
        for (int i = 0; i < words.Count; i++) *(ulong*)(rsp + (ulong)i * 8) = words[i];
        return (rsp, vector);
    }

    /// <summary>Bytes the strings take on the stack; Linux refuses (E2BIG) more than a quarter of the stack limit.</summary>
    public static ulong StringBytes(IReadOnlyList<string> argv, IReadOnlyList<string> envp, string execFn) =>
        (ulong)argv.Concat(envp).Append(execFn).Sum(s => (long)Encoding.UTF8.GetByteCount(s) + 1);

    /// <summary>Copies strings last-first downwards, as the kernel does, so they end up in order in memory.</summary>
    private static ulong[] PushStrings(ref ulong p, IReadOnlyList<string> strings)
    {
        var addresses = new ulong[strings.Count];
        for (int i = strings.Count - 1; i >= 0; i--) addresses[i] = p = PushString(p, strings[i]);
        return addresses;
    }

    private static ulong PushString(ulong p, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s + "\0");
        p -= (ulong)bytes.Length;
        Write(p, bytes);
        return p;
    }

    private static void Write(ulong address, ReadOnlySpan<byte> bytes) => bytes.CopyTo(new Span<byte>((void*)address, bytes.Length));
}
