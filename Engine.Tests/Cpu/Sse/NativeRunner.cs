using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Runs one instruction on the host CPU: a stub assembled with Iced loads a <see cref="CpuImage"/>
/// into the registers, executes the instruction bytes, and stores the registers back. The host's
/// MXCSR is restored afterwards, so an instruction that changes it cannot disturb the runtime.
/// </summary>
internal sealed unsafe class NativeRunner : IDisposable
{
    private const int PageSize = 4096;
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4, MapPrivate = 2, MapAnonymous = 0x20;
    private readonly byte* _page;

    public NativeRunner()
    {
        _page = (byte*)Mmap(IntPtr.Zero, PageSize, ProtRead | ProtWrite | ProtExec, MapPrivate | MapAnonymous, -1, 0);
        if ((long)_page == -1) throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Run(ReadOnlySpan<byte> instruction, CpuImage* image)
    {
        var a = new Assembler(64);
        a.mov(r11, rdi);
        a.stmxcsr(__dword_ptr[r11 + CpuImage.OffHostMxcsr]);
        var xmms = new[] { xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15 };
        for (int i = 0; i < 16; i++) a.movdqu(xmms[i], __xmmword_ptr[r11 + CpuImage.OffXmm + 16 * i]);
        var gprs = new[] { rax, rcx, rdx, rdi, r8, r9, r10, rsi };
        for (int i = 0; i < gprs.Length; i++) a.mov(gprs[i], __qword_ptr[r11 + CpuImage.OffGpr + 8 * i]);
        a.push(__qword_ptr[r11 + CpuImage.OffRflags]);
        a.popfq();
        a.db(instruction.ToArray());
        a.pushfq();
        a.pop(__qword_ptr[r11 + CpuImage.OffRflags]);
        for (int i = 0; i < gprs.Length; i++) a.mov(__qword_ptr[r11 + CpuImage.OffGpr + 8 * i], gprs[i]);
        for (int i = 0; i < 16; i++) a.movdqu(__xmmword_ptr[r11 + CpuImage.OffXmm + 16 * i], xmms[i]);
        a.stmxcsr(__dword_ptr[r11 + CpuImage.OffMxcsr]);
        a.ldmxcsr(__dword_ptr[r11 + CpuImage.OffHostMxcsr]);
        a.ret();

        var code = new MemoryStream();
        a.Assemble(new StreamCodeWriter(code), (ulong)_page);
        if (code.Length > PageSize) throw new InvalidOperationException("stub does not fit its page");
        code.ToArray().CopyTo(new Span<byte>(_page, PageSize));
        ((delegate* unmanaged<CpuImage*, void>)_page)(image);
    }

    public void Dispose() => Munmap((IntPtr)_page, PageSize);

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern IntPtr Mmap(IntPtr addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(IntPtr addr, nuint length);
}
