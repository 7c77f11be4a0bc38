using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A guest access the check lets through but the host MMU refuses (the guest's own read-only page) becomes a guest
/// SIGSEGV at that access, with the state as a refused check would leave it; the engine's process lives on.
/// </summary>
public sealed unsafe class CacheFaultsTests
{
    [TestCase(false, TestName = "AStoreTheMmuRefusesLeavesWithSigSegvAtItsInstruction")]
    [TestCase(true, TestName = "AStoreTheMmuRefusesInABlockWithItsOwnFrameLeavesWithSigSegv")]
    public void AStoreTheMmuRefusesLeavesWithSigSegv(bool manyTemps)
    {
        using var m = new JitTestMachine();
        // The page map says read-write, the host page is read-only: only the MMU can refuse the store.
        m.PageMap.Mark(m.ReadOnlyAddress, 4096, 3);
        Assert.That(mprotect((nint)m.ReadOnlyAddress, 4096, 1), Is.Zero);
        try
        {
            var sb = new Superblock(0x401000);
            sb.IMark(0x401000, 4);
            // Enough live vectors to spill past the shared frame, so the trampoline must free the block's own.
            var live = Enumerable.Range(0, manyTemps ? 100 : 0).Select(k => sb.Get(GuestState.XmmOffset(k % 16), IrType.V128)).ToList();
            sb.Put(GuestState.OffRbx, U64(1));
            sb.IMark(0x401004, 3);
            sb.Store(U64(m.ReadOnlyAddress + 24), U64(7));
            foreach (var v in live) sb.Put(GuestState.XmmOffset(0), v);
            sb.Put(GuestState.OffRbx, U64(2));
            sb.Next = U64(0x401010);
            var block = m.Compile(sb);
            Assert.That(block.FrameSize > 0, Is.EqualTo(manyTemps));

            ulong next = m.Run(block);

            Assert.That(next, Is.EqualTo(0x401004UL));
            Assert.That((JumpKind)m.State->ExitKind, Is.EqualTo(JumpKind.SigSegv));
            Assert.That(m.State->FaultAddr, Is.EqualTo(m.ReadOnlyAddress + 24));
            Assert.That(m.State->Gpr[3], Is.EqualTo(1UL), "what follows the faulting store must not run");
            // The stack is as the entry stub left it: another block runs fine.
            var again = new Superblock(0x402000);
            again.IMark(0x402000, 4);
            again.Put(GuestState.OffRcx, U64(5));
            again.Next = U64(0x402004);
            Assert.That(m.Run(m.Compile(again)), Is.EqualTo(0x402004UL));
        }
        finally
        {
            mprotect((nint)m.ReadOnlyAddress, 4096, 3);
        }
    }

    [Test]
    public void InTheGuestRegionAccessesNeedNoPageLookupAndTheReservationFaults()
    {
        using var space = new GuestAddressSpace();
        ulong a = (ulong)space.Mmap(0, 8192, LinuxMm.ProtRead | LinuxMm.ProtWrite, LinuxMm.MapPrivate | LinuxMm.MapAnonymous, -1, 0);
        Assert.That(space.Munmap(a + 4096, 4096), Is.Zero);
        // The test page map knows nothing of either page: only the region's bounds and the MMU decide.
        using var m = new JitTestMachine(guestRegion: true);
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        sb.Store(U64(a + 8), U64(7));
        sb.IMark(0x401004, 4);
        sb.Put(GuestState.OffRax, sb.Load(IrType.I64, U64(a + 4096 + 16)));
        sb.Next = U64(0x401008);

        ulong next = m.Run(m.Compile(sb));

        Assert.That(*(ulong*)(a + 8), Is.EqualTo(7UL));
        Assert.That(next, Is.EqualTo(0x401004UL));
        Assert.That((JumpKind)m.State->ExitKind, Is.EqualTo(JumpKind.SigSegv));
        Assert.That(m.State->FaultAddr, Is.EqualTo(a + 4096 + 16));
    }

    [Test]
    public void AboveTheGuestRegionTheSlowPathConsultsThePageMap()
    {
        using var m = new JitTestMachine(guestRegion: true);
        Assert.That(m.MemoryBase, Is.GreaterThanOrEqualTo(GuestRegion.End), "the test memory is host memory, above the region");
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        sb.Store(U64(m.MemoryBase + 8), U64(7));
        sb.IMark(0x401004, 4);
        sb.Store(U64(m.ReadOnlyAddress + 8), U64(9));
        sb.Next = U64(0x401008);

        ulong next = m.Run(m.Compile(sb));

        Assert.That(*(ulong*)(m.MemoryBase + 8), Is.EqualTo(7UL));
        Assert.That(next, Is.EqualTo(0x401004UL), "the page map marks the second page read-only");
        Assert.That(m.State->FaultAddr, Is.EqualTo(m.ReadOnlyAddress + 8));
    }

    [DllImport("libc")]
    private static extern int mprotect(nint address, nuint length, int protection);
}
