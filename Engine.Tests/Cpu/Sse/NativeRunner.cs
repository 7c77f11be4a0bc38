using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Runs one instruction on the host CPU: a stub assembled with Iced loads a <see cref="CpuImage"/>
/// (MXCSR included) into the registers, executes the instruction bytes, and stores the registers
/// back. The host's MXCSR is restored afterwards, so the test cannot disturb the runtime.
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
        var code = new Span<byte>(_page, PageSize);
        Stub.Prologue.CopyTo(code);
        instruction.CopyTo(code[Stub.Prologue.Length..]);
        Stub.Epilogue.CopyTo(code[(Stub.Prologue.Length + instruction.Length)..]);
        ((delegate* unmanaged<CpuImage*, void>)_page)(image);
    }

    private static readonly AssemblerRegisterXMM[] Xmms =
        [xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15];
    private static readonly AssemblerRegister64[] Gprs = [rax, rcx, rdx, rdi, r8, r9, r10, rsi];

    /// <summary>Stub code before and after the instruction; position-independent, so assembled once.</summary>
    private static readonly (byte[] Prologue, byte[] Epilogue) Stub = (Assemble(Prologue), Assemble(Epilogue));

    private static void Prologue(Assembler a)
    {
        a.mov(r11, rdi);
        a.stmxcsr(__dword_ptr[r11 + CpuImage.OffHostMxcsr]);
        a.ldmxcsr(__dword_ptr[r11 + CpuImage.OffMxcsr]);
        for (int i = 0; i < 16; i++) a.movdqu(Xmms[i], __xmmword_ptr[r11 + CpuImage.OffXmm + 16 * i]);
        for (int i = 0; i < Gprs.Length; i++) a.mov(Gprs[i], __qword_ptr[r11 + CpuImage.OffGpr + 8 * i]);
        a.push(__qword_ptr[r11 + CpuImage.OffRflags]);
        a.popfq();
    }

    private static void Epilogue(Assembler a)
    {
        a.pushfq();
        a.pop(__qword_ptr[r11 + CpuImage.OffRflags]);
        for (int i = 0; i < Gprs.Length; i++) a.mov(__qword_ptr[r11 + CpuImage.OffGpr + 8 * i], Gprs[i]);
        for (int i = 0; i < 16; i++) a.movdqu(__xmmword_ptr[r11 + CpuImage.OffXmm + 16 * i], Xmms[i]);
        a.stmxcsr(__dword_ptr[r11 + CpuImage.OffMxcsr]);
        a.ldmxcsr(__dword_ptr[r11 + CpuImage.OffHostMxcsr]);
        a.ret();
    }

    private static byte[] Assemble(Action<Assembler> emit)
    {
        var a = new Assembler(64);
        emit(a);
        var code = new MemoryStream();
        a.Assemble(new StreamCodeWriter(code), 0);
        return code.ToArray();
    }

    public void Dispose() => Munmap((IntPtr)_page, PageSize);

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern IntPtr Mmap(IntPtr addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(IntPtr addr, nuint length);
}
