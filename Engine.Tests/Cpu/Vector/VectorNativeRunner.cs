using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// Runs one instruction on the host CPU (which has AVX2, FMA, BMI2, F16C, AES): a stub assembled with Iced loads a
/// <see cref="VectorImage"/> (YMM registers, GPRs, RFLAGS, MXCSR), executes the instruction bytes, and stores the
/// registers back. The host's MXCSR is restored afterwards, and vzeroupper leaves the upper halves as the runtime expects.
/// </summary>
internal sealed unsafe class VectorNativeRunner : IDisposable
{
    private const int PageSize = 4096;
    private readonly byte* _page;

    public VectorNativeRunner()
    {
        const int ProtRwx = 7, MapPrivateAnonymous = 0x22;
        _page = (byte*)Mmap(IntPtr.Zero, PageSize, ProtRwx, MapPrivateAnonymous, -1, 0);
        if ((long)_page == -1) throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Run(ReadOnlySpan<byte> instruction, VectorImage* image)
    {
        var code = new Span<byte>(_page, PageSize);
        Stub.Prologue.CopyTo(code);
        instruction.CopyTo(code[Stub.Prologue.Length..]);
        Stub.Epilogue.CopyTo(code[(Stub.Prologue.Length + instruction.Length)..]);
        ((delegate* unmanaged<VectorImage*, void>)_page)(image);
    }

    private static readonly AssemblerRegisterYMM[] Ymms =
        [ymm0, ymm1, ymm2, ymm3, ymm4, ymm5, ymm6, ymm7, ymm8, ymm9, ymm10, ymm11, ymm12, ymm13, ymm14, ymm15];
    private static readonly AssemblerRegister64[] Gprs = [rax, rcx, rdx, rdi, r8, r9, r10, rsi];

    private static readonly (byte[] Prologue, byte[] Epilogue) Stub = (Assemble(Prologue), Assemble(Epilogue));

    private static void Prologue(Assembler a)
    {
        a.mov(r11, rdi);
        a.stmxcsr(__dword_ptr[r11 + VectorImage.OffHostMxcsr]);
        a.ldmxcsr(__dword_ptr[r11 + VectorImage.OffMxcsr]);
        for (int i = 0; i < 16; i++) a.vmovdqu(Ymms[i], __ymmword_ptr[r11 + VectorImage.OffYmm + 32 * i]);
        for (int i = 0; i < Gprs.Length; i++) a.mov(Gprs[i], __qword_ptr[r11 + VectorImage.OffGpr + 8 * i]);
        a.push(__qword_ptr[r11 + VectorImage.OffRflags]);
        a.popfq();
    }

    private static void Epilogue(Assembler a)
    {
        a.pushfq();
        a.pop(__qword_ptr[r11 + VectorImage.OffRflags]);
        for (int i = 0; i < Gprs.Length; i++) a.mov(__qword_ptr[r11 + VectorImage.OffGpr + 8 * i], Gprs[i]);
        for (int i = 0; i < 16; i++) a.vmovdqu(__ymmword_ptr[r11 + VectorImage.OffYmm + 32 * i], Ymms[i]);
        a.stmxcsr(__dword_ptr[r11 + VectorImage.OffMxcsr]);
        a.ldmxcsr(__dword_ptr[r11 + VectorImage.OffHostMxcsr]);
        a.vzeroupper();
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
