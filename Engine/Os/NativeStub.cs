using System.Runtime.InteropServices;
using Iced.Intel;

namespace Memcheck.Engine.Os;

/// <summary>A small piece of host code assembled with Iced, placed on its own read+execute page.</summary>
internal static unsafe class NativeStub
{
    /// <summary>Assembles <paramref name="asm"/> onto a fresh page and returns its address; <paramref name="what"/> names it in errors.</summary>
    public static nint Place(Assembler asm, string what) => Place(asm, what, out _);

    /// <summary>As <see cref="Place(Assembler, string)"/>, also giving the page offset of every label (by label id).</summary>
    public static nint Place(Assembler asm, string what, out AssemblerResult layout)
    {
        using var code = new MemoryStream();
        layout = asm.Assemble(new StreamCodeWriter(code), 0, BlockEncoderOptions.ReturnNewInstructionOffsets);

        const int protRead = 1, protWrite = 2, protExec = 4, mapPrivate = 2, mapAnonymous = 0x20;
        nuint pageSize = (nuint)Environment.SystemPageSize;
        nint page = mmap(0, pageSize, protRead | protWrite, mapPrivate | mapAnonymous, -1, 0);
        if (page == -1) throw new InvalidOperationException($"mmap of the {what} page failed: errno {Marshal.GetLastPInvokeError()}");
        code.ToArray().CopyTo(new Span<byte>((void*)page, (int)code.Length));
        if (mprotect(page, pageSize, protRead | protExec) != 0)
            throw new InvalidOperationException($"mprotect of the {what} page failed: errno {Marshal.GetLastPInvokeError()}");
        return page;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint addr, nuint length, int prot);
}
