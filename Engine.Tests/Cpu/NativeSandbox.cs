using Memcheck.Engine.Guest;
using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>
/// A 64 KiB RWX region below 2 GiB holding a test's code, its register file, a stack and a data
/// buffer, so the same instruction bytes can run natively (through an Iced-assembled stub that
/// loads all 16 GPRs and RFLAGS, runs the code, and stores them back) and through the lifter.
/// </summary>
public sealed unsafe class NativeSandbox : IDisposable
{
    public const int RegionSize = 0x10000;
    private const ulong InReservation = 0x3F00_0000;
    private const int MapPrivateAnonymousFixed = 0x02 | 0x20 | 0x10;
    private const int CodeOffset = 0x400, CodeLimit = 0x2000;
    private const int StateOffset = 0x2000, FlagsSlot = 128, HostRspSlot = 136;
    public const int StackOffset = 0x3000, StackTopOffset = 0x4800, StackEnd = 0x5000;
    public const int DataOffset = 0x6000, DataMiddleOffset = 0x7000, DataEnd = 0x8000;

    public readonly ulong Base;

    public NativeSandbox()
    {
        const int ProtRwx = 7, MapPrivateAnonymous32Bit = 0x02 | 0x20 | 0x40;
        var p = Mmap(IntPtr.Zero, RegionSize, ProtRwx, MapPrivateAnonymous32Bit, -1, IntPtr.Zero);
        // Once a guest machine has reserved the low 128 GiB (GuestRegion), the low 2 GiB are all inside it: take
        // pages of the reservation below the guests' 32-bit area instead (tests run one guest at a time).
        if (p == new IntPtr(-1) && GuestRegion.IsReserved)
            p = Mmap((IntPtr)InReservation, RegionSize, ProtRwx, MapPrivateAnonymousFixed, -1, IntPtr.Zero);
        if (p == new IntPtr(-1)) throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
        Base = (ulong)p;
        WritePrologue();
    }

    public ulong CodeAddress => Base + CodeOffset;
    public ulong StackTop => Base + StackTopOffset;
    public ulong DataMiddle => Base + DataMiddleOffset;
    public Span<byte> Memory(int offset, int length) => new((void*)(Base + (ulong)offset), length);
    private ulong* State => (ulong*)(Base + StateOffset);

    /// <summary>Assemble the test code (emitted by <paramref name="emit"/>) at <see cref="CodeAddress"/>, followed by the epilogue; returns the epilogue's address.</summary>
    public ulong LoadCode(Action<Assembler> emit)
    {
        var a = new Assembler(64);
        emit(a);
        var epilogue = a.CreateLabel();
        a.Label(ref epilogue);
        ulong state = Base + StateOffset;
        a.mov(__qword_ptr[(long)state], rax);
        a.mov(rax, state);
        AssemblerRegister64[] gprs = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
        for (int i = 1; i < 16; i++) a.mov(__qword_ptr[rax + 8 * i], gprs[i]);
        a.mov(rsp, __qword_ptr[rax + HostRspSlot]);
        a.pushfq();
        a.pop(rcx);
        a.mov(__qword_ptr[rax + FlagsSlot], rcx);
        a.cld();
        a.pop(r15); a.pop(r14); a.pop(r13); a.pop(r12); a.pop(rbp); a.pop(rbx);
        a.ret();
        var writer = new BufferWriter();
        var result = a.Assemble(writer, CodeAddress, BlockEncoderOptions.ReturnNewInstructionOffsets);
        if (writer.Bytes.Count > CodeLimit - CodeOffset) throw new InvalidOperationException("test code too long");
        writer.Bytes.ToArray().CopyTo(Memory(CodeOffset, writer.Bytes.Count));
        return result.GetLabelRIP(epilogue);
    }

    /// <summary>Run the loaded code natively on <paramref name="gprs"/> and <paramref name="rflags"/>, updating both.</summary>
    public void RunNative(ulong[] gprs, ref ulong rflags)
    {
        for (int i = 0; i < 16; i++) State[i] = gprs[i];
        State[FlagsSlot / 8] = rflags;
        ((delegate* unmanaged<void>)Base)();
        for (int i = 0; i < 16; i++) gprs[i] = State[i];
        rflags = State[FlagsSlot / 8];
    }

    private void WritePrologue()
    {
        var a = new Assembler(64);
        a.push(rbx); a.push(rbp); a.push(r12); a.push(r13); a.push(r14); a.push(r15);
        a.mov(rax, Base + StateOffset);
        a.mov(__qword_ptr[rax + HostRspSlot], rsp);
        a.push(__qword_ptr[rax + FlagsSlot]);
        a.popfq();
        a.mov(rsp, __qword_ptr[rax + 32]);
        AssemblerRegister64[] gprs = [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];
        for (int i = 1; i < 16; i++)
            if (i != 4) a.mov(gprs[i], __qword_ptr[rax + 8 * i]);
        a.mov(rax, __qword_ptr[rax]);
        a.jmp(CodeAddress);
        var writer = new BufferWriter();
        a.Assemble(writer, Base);
        writer.Bytes.ToArray().CopyTo(Memory(0, writer.Bytes.Count));
    }

    public void Dispose()
    {
        if (Base == InReservation) GuestRegion.Restore(Base, RegionSize);
        else Munmap((IntPtr)Base, RegionSize);
    }

    private sealed class BufferWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern IntPtr Mmap(IntPtr addr, nuint length, int prot, int flags, int fd, IntPtr offset);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Munmap(IntPtr addr, nuint length);
}
