using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// The helpers origin instrumentation calls: memcheck's origin loads and stores on <see cref="OriginMemory"/>. The
/// load reads the tags through the primary map alone. It is declared pure, though it reads the tags, so that the
/// optimiser drops loads whose tag nothing uses (most: an address's or a flag's); no pass moves a call past another,
/// so it still reads the tags as the stores before it left them. Generated code does most of both itself (TagMapAccess).
/// </summary>
internal static unsafe class OriginHelpers
{
    /// <summary>(address, size, primary) -> the tag of the bytes read.</summary>
    public static readonly IrHelper Load = new("mc_origin_load", &LoadTag, 3, isPure: true)
    {
        Tags = new TagMapAccess(AddressArg: 0, SizeArg: 1, PrimaryArg: 2),
    };

    /// <summary>(address, size, tag, primary): the bytes written take the tag (0: they have none).</summary>
    public static readonly IrHelper Store = new("mc_origin_store", &StoreTag, 4, isPure: false)
    {
        Tags = new TagMapAccess(AddressArg: 0, SizeArg: 1, PrimaryArg: 3, TagArg: 2),
    };

    [UnmanagedCallersOnly]
    private static ulong LoadTag(GuestState* state, ulong address, ulong size, ulong primary, ulong a3) =>
        OriginMemory.Load((nint)primary, address, size);

    [UnmanagedCallersOnly]
    private static ulong StoreTag(GuestState* state, ulong address, ulong size, ulong tag, ulong primary)
    {
        if (!OriginMemory.TryStore((nint)primary, address, size, (uint)tag))
            VBitHelpers.Owner(state).Shadow.Origins!.Store(address, size, (uint)tag);
        return 0;
    }
}
