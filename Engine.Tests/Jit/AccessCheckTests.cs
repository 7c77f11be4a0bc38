using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Ir;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// Guest memory three 64 KiB chunks long (chunk-aligned) with a shadow map saying which of its bytes are
/// addressable, and a slow path that records its calls and answers <see cref="Answer"/>.
/// </summary>
internal sealed unsafe class ShadowedMemory : IDisposable
{
    public const int Bytes = 3 << 16;

    public readonly ShadowMemory Shadow;
    public readonly byte* Memory = (byte*)NativeMemory.AlignedAlloc(Bytes, 1 << 16);
    public readonly AccessCheck Check;

    /// <param name="origins">Whether the shadow keeps origin tags too.</param>
    public ShadowedMemory(bool origins = false)
    {
        Shadow = new ShadowMemory(origins ? new OriginMemory() : null);
        new Span<byte>(Memory, Bytes).Clear();
        Check = new AccessCheck(Shadow.Primary, SlowPath);
    }

    public ulong Base => (ulong)Memory;
    /// <summary>The boundary between the first and second chunk.</summary>
    public ulong ChunkBoundary => Base + (1 << 16);

    /// <summary>What the slow path answers: 0 performs the access, 1 refuses it.</summary>
    public static ulong Answer;
    public static readonly List<(ulong Address, ulong Size, ulong IsWrite, ulong Rip)> Calls = [];

    [UnmanagedCallersOnly]
    private static ulong Record(GuestState* state, ulong address, ulong size, ulong isWrite, ulong unused)
    {
        Calls.Add((address, size, isWrite, state->Rip));
        return Answer;
    }

    public static readonly IrHelper SlowPath = new("test_access_slow_path", &Record, 3, isPure: false);

    public void Dispose()
    {
        Shadow.Dispose();
        NativeMemory.AlignedFree(Memory);
    }
}

/// <summary>
/// Loads, stores and declared helper memory checked against the tool's addressability map: for every size,
/// alignment (including crossing a 64 KiB chunk) and position of a noaccess byte, the slow path runs exactly
/// when a covered byte is noaccess, with the right address, size, direction and RIP, and its answer decides
/// between the access and SIGSEGV, the same in compiled code and in the interpreter.
/// </summary>
[TestFixture]
public sealed unsafe class AccessCheckTests
{
    private const ulong Instruction = 0x401004, NextInstruction = 0x401008;

    private ShadowedJit _jit = null!;
    private ulong _rbx = 0x1234_5678;

    [SetUp]
    public void SetUp()
    {
        _jit = new ShadowedJit();
        ShadowedMemory.Calls.Clear();
    }

    [TearDown]
    public void TearDown() => _jit.Dispose();

    /// <summary>Reads one declared byte range: returns the sum of its bytes.</summary>
    [UnmanagedCallersOnly]
    private static ulong SumFn(GuestState* state, ulong address, ulong a1, ulong a2, ulong a3)
    {
        ulong sum = 0;
        for (int i = 0; i < 10; i++) sum += ((byte*)address)[i];
        return sum;
    }

    /// <summary>Writes its declared 10 bytes with 0x5A.</summary>
    [UnmanagedCallersOnly]
    private static ulong FillFn(GuestState* state, ulong address, ulong a1, ulong a2, ulong a3)
    {
        new Span<byte>((byte*)address, 10).Fill(0x5A);
        return 1;
    }

    private static readonly IrHelper Sum10 = new("sum10", &SumFn, 1, isPure: false) { MemoryRead = (0, 10) };
    private static readonly IrHelper Fill10 = new("fill10", &FillFn, 1, isPure: false) { MemoryWrite = (0, 10) };

    private static IrType TypeOfSize(int size) => size switch
    {
        1 => IrType.I8, 2 => IrType.I16, 4 => IrType.I32, 8 => IrType.I64, _ => IrType.V128,
    };

    /// <summary>
    /// A block whose second instruction loads (stores) <paramref name="size"/> bytes at RDI, with temps live in
    /// registers across the access: RAX and RDX get values computed before it, RCX the loaded value.
    /// </summary>
    private static Superblock AccessBlock(int size, bool write)
    {
        var sb = new Superblock(Instruction - 4);
        sb.IMark(Instruction - 4, 4);
        var rbx = sb.Get(GuestState.OffRbx, IrType.I64);
        var before = sb.Binop(IrOp.Add, rbx, IrValue.U64(0x1111));
        var other = sb.Binop(IrOp.Xor, rbx, IrValue.U64(0xF0F0));
        sb.IMark(Instruction, 4);
        var address = sb.Get(GuestState.OffRdi, IrType.I64);
        if (size == 10)
        {
            var result = sb.Call(write ? Fill10 : Sum10, address);
            sb.Put(GuestState.OffRcx, result);
        }
        else if (size == 32)
        {
            // A YMM access: two V128 pieces, the first checking all 32 bytes.
            var upper = sb.Binop(IrOp.Add, address, IrValue.U64(16));
            if (write)
            {
                sb.StorePiece(address, IrValue.Constant128(IrType.V128, 0x0123456789ABCDEF, 0xFEDCBA9876543210), 32, 0);
                sb.StorePiece(upper, IrValue.Constant128(IrType.V128, 0x1122334455667788, 0x99AABBCCDDEEFF00), 32, 16);
            }
            else
            {
                sb.Put(GuestState.OffXmm0, sb.LoadPiece(IrType.V128, address, 32, 0));
                sb.Put(GuestState.OffXmm0 + 16, sb.LoadPiece(IrType.V128, upper, 32, 16));
            }
        }
        else if (write)
        {
            var type = TypeOfSize(size);
            IrValue value = type == IrType.V128
                ? IrValue.Constant128(IrType.V128, 0x0123456789ABCDEF, 0xFEDCBA9876543210)
                : IrValue.Constant(type, 0x8877665544332211);
            sb.Store(address, value);
        }
        else
        {
            var loaded = sb.Load(TypeOfSize(size), address);
            if (size == 16) sb.Put(GuestState.OffXmm0, loaded);
            else sb.Put(GuestState.OffRcx, sb.Unop(IrOp.ZeroExtend, IrType.I64, loaded));
        }
        sb.Put(GuestState.OffRax, before);
        sb.Put(GuestState.OffRdx, other);
        sb.Next = IrValue.U64(NextInstruction);
        sb.NextKind = JumpKind.Boring;
        return sb;
    }

    private sealed record Outcome(ulong Next, JumpKind Kind, ulong FaultAddr, byte[] State, byte[] Memory,
        (ulong Address, ulong Size, ulong IsWrite, ulong Rip)[] Calls);

    /// <summary>The bytes around the chunk boundary the accesses touch, filled with a pattern before each run.</summary>
    private Span<byte> Window => new((byte*)_jit.Memory.ChunkBoundary - 64, 128);

    private Outcome Run(Func<ulong> execute, GuestState* state, ulong address)
    {
        for (int i = 0; i < Window.Length; i++) Window[i] = (byte)(i * 7 + 1);
        new Span<byte>(state, GuestState.BlockSize).Clear();
        state->Gpr[3] = _rbx;
        state->Gpr[7] = address;
        ShadowedMemory.Calls.Clear();
        ulong next = execute();
        var kind = (JumpKind)state->ExitKind;
        state->ExitKind = 0;
        state->ExitAddr = 0;
        return new Outcome(next, kind, state->FaultAddr, new Span<byte>(state, GuestState.Size).ToArray(),
            Window.ToArray(), [.. ShadowedMemory.Calls]);
    }

    private Outcome Interpret(Superblock sb, ulong address) => Run(() =>
    {
        var exit = new IrInterpreter(_jit.Memory.Check).Run(sb, _jit.Machine.Reference, NoMemory.Instance);
        _jit.Machine.Reference->ExitKind = (ulong)exit.Kind;
        return exit.NextAddress;
    }, _jit.Machine.Reference, address);

    private Outcome Execute(CompiledBlock block, ulong address) => Run(() => block.Entry(_jit.Machine.State), _jit.Machine.State, address);

    /// <summary>
    /// For each alignment from 16 bytes below a chunk boundary to 16 above it, each position of one noaccess
    /// byte (none, just before, each covered byte, just after) among defined or undefined ones, both backends
    /// and both answers.
    /// </summary>
    private void CheckEverySizeAlignmentAndPosition(int size, bool write)
    {
        int slowPathRuns = 0;
        for (int offset = -16; offset < 16; offset++)
        {
            ulong address = (ulong)((long)_jit.Memory.ChunkBoundary + offset);
            var sb = AccessBlock(size, write);
            var block = _jit.Machine.Compiler.Compile(sb, _jit.Context);
            for (int noAccess = -2; noAccess <= size; noAccess++)
            foreach (bool undefined in (bool[])[false, true])
            {
                // Addressable bytes defined (the fast accept) or undefined (the field test).
                if (undefined) _jit.Memory.Shadow.MakeUndefined(_jit.Memory.ChunkBoundary - 64, 128);
                else _jit.Memory.Shadow.MakeDefined(_jit.Memory.ChunkBoundary - 64, 128);
                if (noAccess >= -1) _jit.Memory.Shadow.MakeNoAccess(address + (ulong)(long)noAccess, 1);
                bool covered = noAccess >= 0 && noAccess < size;
                foreach (ulong answer in (ulong[])[0, 1])
                {
                    ShadowedMemory.Answer = answer;
                    string where = $"size {size} {(write ? "store" : "load")} at chunk{offset:+#;-#;+0}, noaccess at {noAccess}, " +
                        $"{(undefined ? "undefined" : "defined")}, answer {answer}\n{sb}";
                    var interpreted = Interpret(sb, address);
                    var compiled = Execute(block, address);

                    var expectedCalls = covered ? new[] { (address, (ulong)size, write ? 1UL : 0UL, Instruction) } : [];
                    Assert.That(interpreted.Calls, Is.EqualTo(expectedCalls), $"interpreter slow path; {where}");
                    Assert.That(compiled.Calls, Is.EqualTo(expectedCalls), $"compiled slow path; {where}");
                    bool refused = covered && answer == 1;
                    Assert.That(interpreted.Kind, Is.EqualTo(refused ? JumpKind.SigSegv : JumpKind.Boring), $"interpreter exit; {where}");
                    Assert.That(interpreted.Next, Is.EqualTo(refused ? Instruction : NextInstruction), $"interpreter next; {where}");
                    if (refused) Assert.That(interpreted.FaultAddr, Is.EqualTo(address), $"fault address; {where}");
                    Assert.That(compiled.Next, Is.EqualTo(interpreted.Next), $"next; {where}");
                    Assert.That(compiled.Kind, Is.EqualTo(interpreted.Kind), $"exit kind; {where}");
                    Assert.That(compiled.State.AsSpan().SequenceEqual(interpreted.State), Is.True, $"guest state; {where}");
                    Assert.That(compiled.Memory.AsSpan().SequenceEqual(interpreted.Memory), Is.True, $"memory; {where}");
                    if (covered) slowPathRuns++;
                }
            }
        }
        Assert.That(slowPathRuns, Is.EqualTo(32 * size * 2 * 2));
    }

    [Test]
    public void LoadsCallTheSlowPathExactlyForNoaccessBytesInBothBackends(
        [Values(1, 2, 4, 8, 10, 16, 32)] int size) => CheckEverySizeAlignmentAndPosition(size, write: false);

    [Test]
    public void StoresCallTheSlowPathExactlyForNoaccessBytesInBothBackends(
        [Values(1, 2, 4, 8, 10, 16, 32)] int size) => CheckEverySizeAlignmentAndPosition(size, write: true);

    [Test]
    public void AnAccessAtOrAbove2To47GoesToTheSlowPathAndARefusalIsSigSegv()
    {
        const ulong high = 1UL << 47;
        ShadowedMemory.Answer = 1;
        var sb = AccessBlock(8, write: false);
        var compiled = Execute(_jit.Machine.Compiler.Compile(sb, _jit.Context), high);
        var interpreted = Interpret(sb, high);
        foreach (var outcome in new[] { compiled, interpreted })
        {
            Assert.That(outcome.Calls, Is.EqualTo(new[] { (high, 8UL, 0UL, Instruction) }));
            Assert.That(outcome.Kind, Is.EqualTo(JumpKind.SigSegv));
            Assert.That(outcome.FaultAddr, Is.EqualTo(high));
        }
    }

    [Test]
    public void AnUndefinedButAddressableAccessPerformsWithoutTheSlowPath()
    {
        _jit.Memory.Shadow.MakeUndefined(_jit.Memory.Base, ShadowedMemory.Bytes);
        ulong address = _jit.Memory.ChunkBoundary + 8;
        var compiled = Execute(_jit.Machine.Compiler.Compile(AccessBlock(8, write: false), _jit.Context), address);
        Assert.That(compiled.Calls, Is.Empty);
        Assert.That(compiled.Kind, Is.EqualTo(JumpKind.Boring));
        Assert.That(BitConverter.ToUInt64(compiled.State, GuestState.OffRcx), Is.EqualTo(BitConverter.ToUInt64(compiled.Memory, 64 + 8)));
    }

    [TestCase(0UL, 0)]
    [TestCase(1UL, 1)]
    public void AGuardedHelpersMemoryIsCheckedOnlyWhenItIsCalled(ulong guard, int slowPathCalls)
    {
        _rbx = guard;
        ulong address = _jit.Memory.ChunkBoundary;
        _jit.Memory.Shadow.MakeNoAccess(address, 16);
        ShadowedMemory.Answer = 1;
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 4);
        var call = sb.Binop(IrOp.CmpNE, IrType.I1, sb.Get(GuestState.OffRbx, IrType.I64), IrValue.U64(0));
        sb.Put(GuestState.OffRcx, sb.CallGuarded(call, Sum10, sb.Get(GuestState.OffRdi, IrType.I64)));
        sb.Next = IrValue.U64(NextInstruction);
        var block = _jit.Machine.Compiler.Compile(sb, _jit.Context);

        foreach (var outcome in new[] { Interpret(sb, address), Execute(block, address) })
        {
            Assert.That(outcome.Calls, Has.Length.EqualTo(slowPathCalls));
            Assert.That(outcome.Kind, Is.EqualTo(guard == 0 ? JumpKind.Boring : JumpKind.SigSegv));
        }
    }
}
