using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Ir;
using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A helper with a declared fast case (<see cref="MapFastPath"/>), alone and fused with the guest load or store of
/// the same address: compiled code gives what the interpreter (which always calls) gives, calls the helper exactly
/// when the fast case does not hold (not defined, not 4-aligned, or across a chunk), and keeps the address intact whatever register the result lands in, also when
/// register pressure spills the result to the frame.
/// </summary>
[TestFixture]
public sealed unsafe class MapFastPathTests
{
    private const ulong Instruction = 0x401000, NextInstruction = 0x401008;
    private const ulong NotDefined = 0x77;

    private ShadowedJit _jit = null!;
    private static int s_calls;
    private static ShadowMemory? s_shadow;

    [SetUp]
    public void SetUp()
    {
        _jit = new ShadowedJit();
        s_shadow = _jit.Memory.Shadow;
        s_calls = 0;
    }

    [TearDown]
    public void TearDown()
    {
        s_shadow = null;
        _jit.Dispose();
    }

    /// <summary>(address, primary) -> 0 when the 8 bytes are defined, else <see cref="NotDefined"/>: the fast case's meaning.</summary>
    [UnmanagedCallersOnly]
    private static ulong DefinedOrMarker(GuestState* state, ulong address, ulong primary, ulong a2, ulong a3)
    {
        s_calls++;
        return s_shadow!.CheckDefined(address, 8, out _) is null ? 0 : NotDefined;
    }

    private static readonly IrHelper Probe = new("probe_defined8", &DefinedOrMarker, 2, isPure: false)
    {
        FastPath = new MapFastPath(AddressArg: 0, PrimaryArg: 1, Size: 8, State: (int)VaBits.Defined),
    };

    [UnmanagedCallersOnly]
    private static ulong Nothing(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3) => 0;

    private static readonly IrHelper Call = new("nothing", &Nothing, 0, isPure: false);

    /// <summary>
    /// RDI is the address; the probe's result goes to RCX, the loaded value (when <paramref name="withLoad"/>) to
    /// RDX. With <paramref name="pressure"/>, sixteen values computed before the pair and a call after it keep
    /// every callee-saved register busy across that call, so the probe's result (needed last) lives in the frame.
    /// </summary>
    private Superblock Block(bool withLoad, bool pressure)
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var live = new List<IrValue>();
        if (pressure)
            for (int r = 0; r < 16; r++)
                live.Add(sb.Binop(IrOp.Add, sb.Get(GuestState.GprOffset(r), IrType.I64), IrValue.U64((ulong)r * 0x101)));
        var address = sb.Get(GuestState.OffRdi, IrType.I64);
        var probe = sb.Call(Probe, address, IrValue.U64((ulong)_jit.Memory.Check.Primary));
        IrValue? loaded = withLoad ? sb.Load(IrType.I64, address) : null;
        if (pressure) sb.Call(Call);
        for (int r = 0; r < live.Count; r++) sb.Put(GuestState.OffScratch0 + 8 * (r % 8), sb.Binop(IrOp.Xor, live[r], live[(r + 1) % live.Count]));
        sb.Put(GuestState.OffRcx, probe);
        if (loaded is { } value) sb.Put(GuestState.OffRdx, value);
        sb.Next = IrValue.U64(NextInstruction);
        sb.NextKind = JumpKind.Boring;
        return sb;
    }

    private (byte[] State, int Calls) Run(Func<ulong> execute, GuestState* state, ulong address)
    {
        new Span<byte>(state, GuestState.BlockSize).Clear();
        for (int r = 0; r < 16; r++) state->Gpr[r] = 0x1000_0000UL * (ulong)(r + 1);
        state->Gpr[7] = address;
        s_calls = 0;
        ShadowedMemory.Calls.Clear();
        execute();
        Assert.That(ShadowedMemory.Calls, Is.Empty, "the access check's slow path");
        // The registers and scratch, not the exit fields the two backends fill differently.
        return (new Span<byte>(state, GuestState.OffExitKind).ToArray(), s_calls);
    }

    private void CheckAgainstTheInterpreter(bool withLoad, bool pressure)
    {
        var sb = Block(withLoad, pressure);
        var block = _jit.Machine.Compiler.Compile(sb, _jit.Context);
        ulong aligned = _jit.Memory.ChunkBoundary + 64;
        new Span<byte>((byte*)_jit.Memory.ChunkBoundary - 64, 256).Fill(0x5A);
        *(ulong*)aligned = 0x1122_3344_5566_7788;
        // 4-aligned is enough for the fast case, unless the bytes run into the next 64 KiB chunk.
        var cases = new[]
        {
            (aligned, true, "aligned", true), (aligned, false, "aligned", false), (aligned + 4, true, "4-aligned", true),
            (aligned + 2, true, "2-aligned", false), (_jit.Memory.ChunkBoundary - 4, true, "across a chunk boundary", false),
        };
        foreach (var (address, defined, alignment, fast) in cases)
        {
            _jit.Memory.Shadow.MakeDefined(_jit.Memory.Base, ShadowedMemory.Bytes);
            if (!defined) _jit.Memory.Shadow.MakeUndefined(address, 8);
            string where = $"{(withLoad ? "fused with its load" : "alone")}, {(pressure ? "spilled" : "in registers")}, " +
                $"{(defined ? "defined" : "undefined")}, {alignment}\n{sb}";
            var interpreted = Run(() => new IrInterpreter(_jit.Memory.Check).Run(sb, _jit.Machine.Reference, NoMemory.Instance).NextAddress, _jit.Machine.Reference, address);
            var compiled = Run(() => block.Entry(_jit.Machine.State), _jit.Machine.State, address);

            Assert.That(compiled.State.AsSpan().SequenceEqual(interpreted.State), Is.True, $"guest state; {where}");
            Assert.That(compiled.Calls, Is.EqualTo(fast ? 0 : 1), $"helper calls; {where}");
            Assert.That(BitConverter.ToUInt64(compiled.State, GuestState.OffRcx), Is.EqualTo(defined ? 0 : NotDefined), where);
            if (withLoad) Assert.That(BitConverter.ToUInt64(compiled.State, GuestState.OffRdx), Is.EqualTo(*(ulong*)address), where);
        }
    }

    [Test]
    public void AProbeAloneIsAnsweredInlineExactlyWhenItsBytesAreDefined4AlignedAndInOneChunk(
        [Values(false, true)] bool pressure) => CheckAgainstTheInterpreter(withLoad: false, pressure);

    [Test]
    public void AProbeFusedWithItsLoadLoadsFromTheProbedAddressWhereverItsResultLives(
        [Values(false, true)] bool pressure) => CheckAgainstTheInterpreter(withLoad: true, pressure);

    [UnmanagedCallersOnly]
    private static ulong StoreVBits(GuestState* state, ulong address, ulong vbits, ulong primary, ulong a3)
    {
        s_calls++;
        s_shadow!.SetVBits(address, 8, vbits);
        return 0;
    }

    private static readonly IrHelper StoreProbe = new("probe_store8", &StoreVBits, 3, isPure: false)
    {
        FastPath = new MapFastPath(AddressArg: 0, PrimaryArg: 2, Size: 8, State: (int)VaBits.Defined, ZeroArg: 1,
            OrFrom: (int)VaBits.Undefined),
    };

    [TestCase(VaBits.Defined, true, 0UL, false, TestName = "defined bits to defined bytes: inline")]
    [TestCase(VaBits.Undefined, true, 0UL, false, TestName = "defined bits to undefined bytes of an own secondary: inline")]
    [TestCase(VaBits.Undefined, false, 0UL, true, TestName = "defined bits to undefined bytes of a shared secondary: called")]
    [TestCase(VaBits.Undefined, true, 0xFFUL, true, TestName = "undefined bits: called")]
    [TestCase(VaBits.NoAccess, true, 0UL, true, TestName = "defined bits to noaccess bytes: called")]
    public void AStoreProbeSetsTheFieldsAsItsCallWould(VaBits before, bool ownSecondary, ulong vbits, bool called)
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var address = sb.Get(GuestState.OffRdi, IrType.I64);
        sb.Call(StoreProbe, address, sb.Get(GuestState.OffRsi, IrType.I64), IrValue.U64((ulong)_jit.Memory.Check.Primary));
        sb.Next = IrValue.U64(NextInstruction);
        sb.NextKind = JumpKind.Boring;
        var check = _jit.Memory.Check with { SharedSecondaries = _jit.Memory.Shadow.SharedSecondaries };
        var block = _jit.Machine.Compiler.Compile(sb, new BackendContext(_jit.Machine.PageMap.Level1, _jit.Machine.Cache) { AccessCheck = check });
        ulong at = _jit.Memory.ChunkBoundary + 64;

        VaBits[] Run(Action execute)
        {
            _jit.Memory.Shadow.MakeDefined(_jit.Memory.Base, ShadowedMemory.Bytes);
            if (ownSecondary) _jit.Memory.Shadow.MakeNoAccess(_jit.Memory.ChunkBoundary + 0xFFFF, 1);
            if (before == VaBits.Undefined) _jit.Memory.Shadow.MakeUndefined(ownSecondary ? at : _jit.Memory.ChunkBoundary, ownSecondary ? 8UL : 1UL << 16);
            if (before == VaBits.NoAccess) _jit.Memory.Shadow.MakeNoAccess(at, 8);
            s_calls = 0;
            execute();
            return Enumerable.Range(-8, 24).Select(i => _jit.Memory.Shadow.Get(at + (ulong)i)).ToArray();
        }

        foreach (var state in new[] { _jit.Machine.State, _jit.Machine.Reference }) { state->Gpr[7] = at; state->Gpr[6] = vbits; }
        var expected = Run(() => new IrInterpreter(_jit.Memory.Check).Run(sb, _jit.Machine.Reference, NoMemory.Instance));
        var compiled = Run(() => block.Entry(_jit.Machine.State));
        Assert.That(compiled, Is.EqualTo(expected));
        Assert.That(s_calls, Is.EqualTo(called ? 1 : 0));
    }
}
