using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Ir;
using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A helper declaring a <see cref="MapFill"/> (memcheck's new and dead stack): compiled code leaves the map exactly
/// as the call does, and does without the call exactly for an 8-aligned range of an inline length inside one chunk
/// whose secondary is its own and holds no partly defined byte.
/// </summary>
[TestFixture]
public sealed unsafe class MapFillTests
{
    private const ulong Instruction = 0x401000, NextInstruction = 0x401008;

    private ShadowedJit _jit = null!;
    private static int s_calls;
    private static ShadowMemory? s_shadow;

    [SetUp]
    public void SetUp()
    {
        _jit = new ShadowedJit(origins: true, sharedSecondaries: true);
        s_shadow = _jit.Memory.Shadow;
    }

    [TearDown]
    public void TearDown()
    {
        s_shadow = null;
        _jit.Dispose();
    }

    [UnmanagedCallersOnly]
    private static ulong Undefine(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        s_calls++;
        s_shadow!.MakeUndefined(address, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Forbid(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        s_calls++;
        s_shadow!.MakeNoAccess(address, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong UndefineCreated(GuestState* state, ulong address, ulong length, ulong tag, ulong a3)
    {
        s_calls++;
        s_shadow!.MakeUndefined(address, length, (uint)tag);
        return 0;
    }

    private static readonly IrHelper NewStack = new("test_new_stack", &Undefine, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.Undefined),
    };

    private static readonly IrHelper DeadStack = new("test_dead_stack", &Forbid, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.NoAccess),
    };

    /// <summary>New stack created by what tag <paramref name="tag"/> names, and dead stack, in the shadow's tags too.</summary>
    private IrHelper[] TaggedHelpers(ulong tag)
    {
        var tags = _jit.Memory.Shadow.Origins!.Primary;
        var created = new IrHelper("test_new_stack_created", &UndefineCreated, 3, isPure: false)
        {
            Fill = NewStack.Fill! with { Tags = new TagFill(tags, TagArg: 2) },
        };
        var dead = new IrHelper("test_dead_stack_untagged", &Forbid, 2, isPure: false)
        {
            Fill = DeadStack.Fill! with { Tags = new TagFill(tags) },
        };
        return [created, dead];
    }

    /// <summary>The second chunk: its own secondary (one noaccess byte at its end), defined, a partly defined byte where asked.</summary>
    private void Prepare(bool ownSecondary, ulong? partlyDefined, bool ownTags = true)
    {
        _jit.Memory.Shadow.MakeDefined(_jit.Memory.Base, ShadowedMemory.Bytes);
        if (ownSecondary) _jit.Memory.Shadow.MakeNoAccess(_jit.Memory.ChunkBoundary + 0xFFFF, 1);
        if (partlyDefined is ulong at) Assert.That(_jit.Memory.Shadow.SetVBits(at, 1, 0x0F), Is.True);
        // Tags of its own in the second chunk, a different one in every word.
        _jit.Memory.Shadow.Origins!.Store(_jit.Memory.ChunkBoundary, 0x10000, 0);
        if (ownTags)
            for (ulong word = 0; word < 0x10000; word += 4) _jit.Memory.Shadow.Origins!.Store(_jit.Memory.ChunkBoundary + word, 4, (uint)word + 1);
    }

    private uint[] Tags(ulong from, int count) =>
        Enumerable.Range(0, count).Select(i => _jit.Memory.Shadow.Origins!.Load(from + (ulong)i, 1)).ToArray();

    private VaBits[] States(ulong from, int count) =>
        Enumerable.Range(0, count).Select(i => _jit.Memory.Shadow.Get(from + (ulong)i)).ToArray();

    /// <summary>The helper on [rdi, rdi + length); a third argument, the tag, in rdx.</summary>
    private Superblock Block(IrHelper helper, ulong length)
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var keep = sb.Get(GuestState.OffRbx, IrType.I64);
        IrValue[] args = [sb.Get(GuestState.OffRdi, IrType.I64), IrValue.U64(length)];
        if (helper.ArgCount == 3) args = [.. args, sb.Get(GuestState.OffRdx, IrType.I64)];
        sb.Call(helper, args);
        sb.Put(GuestState.OffRsi, keep);
        sb.Next = IrValue.U64(NextInstruction);
        return sb;
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        // (offset into the second chunk, length, own secondary, partly defined byte at, inline)
        yield return new TestCaseData(0x100, 128UL, true, null, true).SetName("128 bytes, 8-aligned: inline");
        yield return new TestCaseData(0x108, 8UL, true, null, true).SetName("8 bytes: inline");
        yield return new TestCaseData(0x110, 16UL, true, null, true).SetName("16 bytes: inline");
        yield return new TestCaseData(0x200, 256UL, true, null, true).SetName("256 bytes: inline");
        yield return new TestCaseData(0xFF80, 128UL, true, null, true).SetName("128 bytes ending at the chunk's end: inline");
        yield return new TestCaseData(0x104, 128UL, true, null, false).SetName("4-aligned: called");
        yield return new TestCaseData(0x100, 24UL, true, null, false).SetName("24 bytes: called");
        yield return new TestCaseData(0x100, 512UL, true, null, false).SetName("512 bytes: called");
        yield return new TestCaseData(0xFFC0, 128UL, true, null, false).SetName("across a chunk boundary: called");
        yield return new TestCaseData(0x100, 128UL, false, null, false).SetName("shared secondary: called");
        yield return new TestCaseData(0x100, 128UL, true, 0x17FUL, false).SetName("a partly defined byte inside: called");
        yield return new TestCaseData(0x100, 128UL, true, 0x180UL, true).SetName("a partly defined byte just after: inline");
    }

    [TestCaseSource(nameof(Cases))]
    public void TheMapEndsAsTheCallLeavesItAndTheCallIsMadeOnlyOutsideTheInlineCase(
        int offset, ulong length, bool ownSecondary, ulong? partlyDefinedOffset, bool inline)
    {
        foreach (var helper in new[] { NewStack, DeadStack })
        {
            ulong address = _jit.Memory.ChunkBoundary + (ulong)offset;
            ulong? partly = partlyDefinedOffset is ulong p ? _jit.Memory.ChunkBoundary + p : null;
            var sb = Block(helper, length);
            ulong from = address - 64;
            int span = (int)length + 128;

            Prepare(ownSecondary, partly);
            s_calls = 0;
            _jit.Machine.Reference->Gpr[7] = address;
            new IrInterpreter(_jit.Memory.Check).Run(sb, _jit.Machine.Reference, NoMemory.Instance);
            var expected = States(from, span);

            Prepare(ownSecondary, partly);
            s_calls = 0;
            _jit.Machine.State->Gpr[7] = address;
            _jit.Machine.State->Gpr[3] = 0x1234;
            _jit.Machine.Compiler.Compile(sb, _jit.Context).Entry(_jit.Machine.State);

            Assert.That(States(from, span), Is.EqualTo(expected), helper.Name);
            Assert.That(s_calls, Is.EqualTo(inline ? 0 : 1), helper.Name);
            Assert.That(_jit.Machine.State->Gpr[6], Is.EqualTo(0x1234UL), "a register live across the fill");
        }
    }

    /// <summary>Runs the block through the interpreter and compiled; the map and tags each leave, and the calls compiled code made.</summary>
    private ((VaBits[] States, uint[] Tags) Interpreted, (VaBits[] States, uint[] Tags) Compiled, int Calls) RunBoth(
        Superblock sb, Action prepare, ulong address, ulong tag, ulong from, int span)
    {
        prepare();
        _jit.Machine.Reference->Gpr[7] = address;
        _jit.Machine.Reference->Gpr[2] = tag;
        new IrInterpreter(_jit.Memory.Check).Run(sb, _jit.Machine.Reference, NoMemory.Instance);
        var interpreted = (States(from, span), Tags(from, span));

        prepare();
        s_calls = 0;
        _jit.Machine.State->Gpr[7] = address;
        _jit.Machine.State->Gpr[2] = tag;
        _jit.Machine.State->Gpr[3] = 0x1234;
        _jit.Machine.Compiler.Compile(sb, _jit.Context).Entry(_jit.Machine.State);
        Assert.That(_jit.Machine.State->Gpr[6], Is.EqualTo(0x1234UL), "a register live across the fill");
        return (interpreted, (States(from, span), Tags(from, span)), s_calls);
    }

    [TestCaseSource(nameof(Cases))]
    public void WithTagsTheMapAndTheTagsEndAsTheCallLeavesThemAndTheCallIsMadeOnlyOutsideTheInlineCase(
        int offset, ulong length, bool ownSecondary, ulong? partlyDefinedOffset, bool inline)
    {
        foreach (ulong tag in new ulong[] { 0x77, 0 })
            foreach (var helper in TaggedHelpers(tag))
            {
                ulong address = _jit.Memory.ChunkBoundary + (ulong)offset;
                ulong? partly = partlyDefinedOffset is ulong p ? _jit.Memory.ChunkBoundary + p : null;
                var (interpreted, compiled, calls) = RunBoth(Block(helper, length), () => Prepare(ownSecondary, partly),
                    address, tag, address - 64, (int)length + 128);
                Assert.That(compiled, Is.EqualTo(interpreted), $"{helper.Name}, tag {tag}");
                Assert.That(calls, Is.EqualTo(inline ? 0 : 1), $"{helper.Name}, tag {tag}");
            }
    }

    [TestCase(0x77UL, true, TestName = "a chunk without tags: new stack with a tag is called")]
    [TestCase(0UL, false, TestName = "a chunk without tags: new stack without one is inline")]
    public void InAChunkWithoutTagsOnlyATagNeedsTheCall(ulong tag, bool called)
    {
        var helpers = TaggedHelpers(tag);
        ulong address = _jit.Memory.ChunkBoundary + 0x100;
        var (interpreted, compiled, calls) = RunBoth(Block(helpers[0], 128), () => Prepare(true, null, ownTags: false),
            address, tag, address - 64, 256);
        Assert.That(compiled, Is.EqualTo(interpreted));
        Assert.That(calls, Is.EqualTo(called ? 1 : 0));
        (interpreted, compiled, calls) = RunBoth(Block(helpers[1], 128), () => Prepare(true, null, ownTags: false),
            address, tag, address - 64, 256);
        Assert.That(compiled, Is.EqualTo(interpreted));
        Assert.That(calls, Is.EqualTo(0), "dead stack in a chunk without tags");
    }
}
