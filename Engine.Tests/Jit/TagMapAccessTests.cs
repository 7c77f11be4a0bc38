using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// Helpers declaring a <see cref="TagMapAccess"/> (memcheck's origin loads and stores): compiled code, which does most
/// of them inline, leaves every byte's tag and gives every loaded tag exactly as <see cref="OriginMemory"/> itself
/// does, over random sequences of loads and stores of every size and alignment around a chunk boundary, with tags
/// from registers and constants, into chunks with and without tags of their own; and it calls the helper only where
/// the inline code cannot do it.
/// </summary>
[TestFixture]
public sealed unsafe class TagMapAccessTests
{
    private const ulong Instruction = 0x401000, NextInstruction = 0x401008;
    /// <summary>A chunk boundary with room on both sides; the chunk below is given tags, the one above starts without.</summary>
    private const ulong Boundary = 0x7_0002_0000;
    private const uint ConstantTag = 0x0BAD_CAFE;

    private JitTestMachine _machine = null!;
    private OriginMemory _compiled = null!;
    private OriginMemory _expected = null!;
    private static int s_calls;
    private static OriginMemory? s_target;

    [SetUp]
    public void SetUp()
    {
        _machine = new JitTestMachine();
        _compiled = new OriginMemory();
        _expected = new OriginMemory();
        s_target = _compiled;
        s_calls = 0;
    }

    [TearDown]
    public void TearDown()
    {
        s_target = null;
        _compiled.Dispose();
        _expected.Dispose();
        _machine.Dispose();
    }

    [UnmanagedCallersOnly]
    private static ulong LoadTag(GuestState* state, ulong address, ulong size, ulong primary, ulong a3)
    {
        s_calls++;
        return s_target!.Load(address, size);
    }

    [UnmanagedCallersOnly]
    private static ulong StoreTag(GuestState* state, ulong address, ulong size, ulong tag, ulong primary)
    {
        s_calls++;
        s_target!.Store(address, size, (uint)tag);
        return 0;
    }

    private static readonly IrHelper Load = new("test_tag_load", &LoadTag, 3, isPure: true)
    {
        Tags = new TagMapAccess(AddressArg: 0, SizeArg: 1, PrimaryArg: 2),
    };

    private static readonly IrHelper Store = new("test_tag_store", &StoreTag, 4, isPure: false)
    {
        Tags = new TagMapAccess(AddressArg: 0, SizeArg: 1, PrimaryArg: 3, TagArg: 2),
    };

    /// <summary>rsi = the tag of the size bytes at rdi.</summary>
    private CompiledBlock LoadBlock(ulong size)
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var keep = sb.Get(GuestState.OffRbx, IrType.I64);
        var tag = sb.Call(Load, sb.Get(GuestState.OffRdi, IrType.I64), IrValue.U64(size), IrValue.U64((ulong)_compiled.Primary));
        sb.Put(GuestState.OffRsi, tag);
        sb.Put(GuestState.OffRbp, keep);
        sb.Next = IrValue.U64(NextInstruction);
        return _machine.Compile(sb);
    }

    /// <summary>The size bytes at rdi take the tag in rdx, or <paramref name="constant"/>.</summary>
    private CompiledBlock StoreBlock(ulong size, uint? constant)
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var keep = sb.Get(GuestState.OffRbx, IrType.I64);
        var tag = constant is uint c ? IrValue.U64(c) : sb.Get(GuestState.OffRdx, IrType.I64);
        sb.Call(Store, sb.Get(GuestState.OffRdi, IrType.I64), IrValue.U64(size), tag, IrValue.U64((ulong)_compiled.Primary));
        sb.Put(GuestState.OffRbp, keep);
        sb.Next = IrValue.U64(NextInstruction);
        return _machine.Compile(sb);
    }

    private static readonly ulong[] Sizes = [1, 2, 4, 8, 16, 3, 32];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RandomLoadsAndStoresLeaveEveryTagAsOriginMemoryDoes(int seed)
    {
        var loads = Sizes.ToDictionary(size => size, LoadBlock);
        var stores = Sizes.ToDictionary(size => size, size => StoreBlock(size, null));
        var constantStores = Sizes.ToDictionary(size => size, size => StoreBlock(size, ConstantTag));
        var clearingStores = Sizes.ToDictionary(size => size, size => StoreBlock(size, 0));
        _compiled.Store(Boundary - 0x1000, 0x800, 7);
        _expected.Store(Boundary - 0x1000, 0x800, 7);
        var random = new Random(seed);
        for (int step = 0; step < 3000; step++)
        {
            ulong size = Sizes[random.Next(Sizes.Length)];
            // Mostly near the boundary (both chunks), at every offset within a word.
            ulong address = Boundary - 64 + (ulong)random.Next(128);
            string what = $"seed {seed}, step {step}: ";
            _machine.State->Gpr[3] = 0x1234;
            _machine.State->Gpr[7] = address;
            switch (random.Next(4))
            {
                case 0:
                    _machine.Run(loads[size]);
                    Assert.That(_machine.State->Gpr[6], Is.EqualTo((ulong)_expected.Load(address, size)), $"{what}load {size} at {address:x}");
                    break;
                case 1:
                    uint tag = random.Next(3) == 0 ? 0 : (uint)random.Next(1, 1000);
                    _machine.State->Gpr[2] = tag;
                    _machine.Run(stores[size]);
                    _expected.Store(address, size, tag);
                    break;
                case 2:
                    _machine.Run(constantStores[size]);
                    _expected.Store(address, size, ConstantTag);
                    break;
                default:
                    _machine.Run(clearingStores[size]);
                    _expected.Store(address, size, 0);
                    break;
            }
            Assert.That(_machine.State->Gpr[5], Is.EqualTo(0x1234UL), $"{what}a register live across the access");
            for (ulong a = address & ~3UL; a < address + size; a++)
                Assert.That(_compiled.Load(a, 1), Is.EqualTo(_expected.Load(a, 1)), $"{what}the tag of {a:x} after {size} bytes at {address:x}");
        }
    }

    [TestCase(4UL, 0x100UL, true, false, TestName = "a tag load: inline")]
    [TestCase(2UL, 0x101UL, true, true, TestName = "a misaligned 2-byte load: called")]
    [TestCase(8UL, 0xFFFCUL, true, true, TestName = "8 bytes across the chunk's end: called")]
    [TestCase(3UL, 0x100UL, true, true, TestName = "3 bytes: called")]
    [TestCase(4UL, 0x100UL, false, false, TestName = "a tag store into a chunk with tags: inline")]
    public void TheHelperIsCalledOnlyOutsideTheInlineCases(ulong size, ulong offset, bool load, bool called)
    {
        ulong address = Boundary - 0x10000 + offset;
        _compiled.Store(Boundary - 0x10000, 0x10000, 7);
        _machine.State->Gpr[7] = address;
        _machine.State->Gpr[2] = 9;
        _machine.Run(load ? LoadBlock(size) : StoreBlock(size, null));
        Assert.That(s_calls, Is.EqualTo(called ? 1 : 0));
    }

    [Test]
    public void ATagStoredIntoAChunkWithoutTagsGoesToTheHelperAndTagZeroDoesNothing()
    {
        _machine.State->Gpr[7] = Boundary + 0x40;
        _machine.State->Gpr[2] = 0;
        _machine.Run(StoreBlock(4, null));
        Assert.That((s_calls, _compiled.OwnSecondaryCount), Is.EqualTo((0, 0)), "tag 0: nothing to unmark");
        _machine.State->Gpr[2] = 5;
        _machine.Run(StoreBlock(4, null));
        Assert.That((s_calls, _compiled.OwnSecondaryCount, _compiled.Load(Boundary + 0x40, 4)), Is.EqualTo((1, 1, 5u)));
    }
}
