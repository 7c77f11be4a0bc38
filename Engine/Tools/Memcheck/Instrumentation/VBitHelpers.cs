using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// The helpers instrumented code calls: V bits of loads and stores (memcheck's LOADV/STOREV) and the
/// undefined-value reports. Loads and stores get the address of the shadow's primary map as their last argument
/// and read an aligned, uniformly defined or undefined access straight from the packed states; only the rest looks
/// the tool up through <see cref="GuestState.ToolHandle"/>. Addressability is not checked here: compiled code checks
/// it at the access itself, after these run (Valgrind's order too). <c>rip</c> arguments are the instruction's
/// address, stored in the state before a report.
/// </summary>
internal static unsafe class VBitHelpers
{
    // (address, primary) -> V bits of the loaded value; 0 without a call when all its bytes are defined.
    public static readonly IrHelper LoadV1 = new("mc_loadv8", &Load1, 2, isPure: false) { FastPath = DefinedLoad(1) };
    public static readonly IrHelper LoadV2 = new("mc_loadv16", &Load2, 2, isPure: false) { FastPath = DefinedLoad(2) };
    public static readonly IrHelper LoadV4 = new("mc_loadv32", &Load4, 2, isPure: false) { FastPath = DefinedLoad(4) };
    public static readonly IrHelper LoadV8 = new("mc_loadv64", &Load8, 2, isPure: false) { FastPath = DefinedLoad(8) };
    /// <summary>
    /// (address of a quadword of a vector load, its offset in the whole access, primary, the access's bytes: 16 or 32)
    /// -> V bits of that quadword; --partial-loads-ok looks at the whole access.
    /// </summary>
    public static readonly IrHelper LoadVQuadword = new("mc_loadv_vector_quadword", &LoadQuadword, 4, isPure: false)
    {
        FastPath = new MapFastPath(AddressArg: 0, PrimaryArg: 2, Size: 8, State: (int)VaBits.Defined),
    };

    // (address, V bits, primary); no call when defined bits go to defined (or wholly undefined) bytes.
    public static readonly IrHelper StoreV1 = new("mc_storev8", &Store1, 3, isPure: false) { FastPath = DefinedStore(1) };
    public static readonly IrHelper StoreV2 = new("mc_storev16", &Store2, 3, isPure: false) { FastPath = DefinedStore(2) };
    public static readonly IrHelper StoreV4 = new("mc_storev32", &Store4, 3, isPure: false) { FastPath = DefinedStore(4) };
    public static readonly IrHelper StoreV8 = new("mc_storev64", &Store8, 3, isPure: false) { FastPath = DefinedStore(8) };

    private static MapFastPath DefinedLoad(int size) => new(AddressArg: 0, PrimaryArg: 1, size, (int)VaBits.Defined);

    private static MapFastPath DefinedStore(int size) => new(AddressArg: 0, PrimaryArg: 2, size, (int)VaBits.Defined, ZeroArg: 1,
        OrFrom: size >= 4 ? (int)VaBits.Undefined : -1);

    /// <summary>
    /// (rip, origin tag): reports a conditional jump on an undefined condition; called guarded by that condition's V bit.
    /// </summary>
    public static readonly IrHelper ReportCondition = new("mc_value_check0_fail", &Condition, 2, isPure: false);
    /// <summary>
    /// (size in bytes, rip, origin tag): reports use of an undefined value of that size; called guarded by its V bits.
    /// </summary>
    public static readonly IrHelper ReportValue = new("mc_value_checkN_fail", &Value, 3, isPure: false);

    /// <summary>(address, size) -> all ones when any byte of the range is undefined (a dirty helper's memory input).</summary>
    public static readonly IrHelper RangeUndefined = new("mc_range_undefined", &AnyUndefined, 2, isPure: false);
    /// <summary>(address, size, V bits 0 or all ones): a dirty helper's memory output.</summary>
    public static readonly IrHelper SetRange = new("mc_set_range", &SetRangeVBits, 3, isPure: false);

    public static IrHelper LoadOfSize(int bytes) => bytes switch
    {
        1 => LoadV1,
        2 => LoadV2,
        4 => LoadV4,
        8 => LoadV8,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "no LOADV of that size"),
    };

    public static IrHelper StoreOfSize(int bytes) => bytes switch
    {
        1 => StoreV1,
        2 => StoreV2,
        4 => StoreV4,
        8 => StoreV8,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "no STOREV of that size"),
    };

    /// <summary>The tool of the last lookup, with its interfaces: a reference compare instead of two casts per call.</summary>
    private sealed record ToolCache(object Tool, IShadowMemoryOwner Owner, IUndefinedValueReports Reports);

    private static ToolCache? s_last;

    private static ToolCache Tool(GuestState* state)
    {
        object tool = GCHandle.FromIntPtr(state->ToolHandle).Target
            ?? throw new InvalidOperationException("the guest state has no tool handle");
        var last = s_last;
        if (last != null && ReferenceEquals(last.Tool, tool)) return last;
        last = new ToolCache(tool, (IShadowMemoryOwner)tool, (IUndefinedValueReports)tool);
        s_last = last;
        return last;
    }

    internal static IShadowMemoryOwner Owner(GuestState* state) => Tool(state).Owner;

    private static ulong LoadV(GuestState* state, ulong address, int size, ulong primary)
    {
        if (Uniform(primary, address, size) is ulong uniform) return uniform;
        var owner = Owner(state);
        ulong vbits = owner.Shadow.GetVBits(address, size, out bool addressable);
        if (!addressable && size == 8 && owner.PartialLoadsOk && (address & 7) == 0)
            vbits = NoAccessAsUndefined(owner.Shadow, address, address, 8, vbits);
        return vbits;
    }

    [UnmanagedCallersOnly] private static ulong Load1(GuestState* s, ulong a, ulong p, ulong _, ulong __) => LoadV(s, a, 1, p);
    [UnmanagedCallersOnly] private static ulong Load2(GuestState* s, ulong a, ulong p, ulong _, ulong __) => LoadV(s, a, 2, p);
    [UnmanagedCallersOnly] private static ulong Load4(GuestState* s, ulong a, ulong p, ulong _, ulong __) => LoadV(s, a, 4, p);
    [UnmanagedCallersOnly] private static ulong Load8(GuestState* s, ulong a, ulong p, ulong _, ulong __) => LoadV(s, a, 8, p);

    [UnmanagedCallersOnly]
    private static ulong LoadQuadword(GuestState* state, ulong at, ulong offset, ulong primary, ulong bytes)
    {
        ulong start = at - offset;
        if (Uniform(primary, at, 8) is ulong uniform) return uniform;
        var owner = Owner(state);
        ulong vbits = owner.Shadow.GetVBits(at, 8, out bool addressable);
        if (!addressable && owner.PartialLoadsOk && (start & (bytes - 1)) == 0)
            vbits = NoAccessAsUndefined(owner.Shadow, start, at, (int)bytes, vbits);
        return vbits;
    }

    /// <summary>
    /// V bits of an aligned access whose bytes are all defined or all undefined, read from the packed states in
    /// <see cref="ShadowMemory"/>'s fixed layout as generated code reads it; null when mixed, partial or misaligned.
    /// </summary>
    private static ulong? Uniform(ulong primary, ulong address, int size)
    {
        if (address >= ShadowMemory.AddressLimit || (address & (ulong)(size - 1)) != 0) return null;
        byte* secondary = ((byte***)primary)[address >> ShadowMemory.PrimaryShift][(address >> ShadowMemory.ChunkShift) & (ShadowMemory.MiddleEntries - 1)];
        byte* packed = secondary + ((address & (ShadowMemory.ChunkSize - 1)) >> 2);
        uint mask = size == 8 ? 0xFFFFu : (1u << (2 * size)) - 1;
        uint states = size == 8 ? *(ushort*)packed : (uint)(*packed >> (2 * (int)(address & 3))) & mask;
        if (states == (0xAAAAu & mask)) return 0;
        if (states == (0x5555u & mask)) return size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        return null;
    }

    /// <summary>
    /// --partial-loads-ok=yes: when some byte of the whole aligned access [start, start+size) is addressable, the
    /// noaccess bytes of the 8 at <paramref name="at"/> read as undefined rather than defined.
    /// </summary>
    private static ulong NoAccessAsUndefined(ShadowMemory shadow, ulong start, ulong at, int size, ulong vbits)
    {
        bool anyAddressable = false;
        for (ulong a = start; a < start + (ulong)size && !anyAddressable; a++) anyAddressable = shadow.Get(a) != VaBits.NoAccess;
        if (!anyAddressable) return vbits;
        for (int i = 0; i < 8; i++)
            if (shadow.Get(at + (ulong)i) == VaBits.NoAccess) vbits |= 0xFFUL << (8 * i);
        return vbits;
    }

    private static ulong StoreV(GuestState* state, ulong address, int size, ulong vbits, ulong primary)
    {
        if (Uniform(primary, address, size) != vbits) Owner(state).Shadow.SetVBits(address, size, vbits);
        return 0;
    }

    [UnmanagedCallersOnly] private static ulong Store1(GuestState* s, ulong a, ulong v, ulong p, ulong _) => StoreV(s, a, 1, v, p);
    [UnmanagedCallersOnly] private static ulong Store2(GuestState* s, ulong a, ulong v, ulong p, ulong _) => StoreV(s, a, 2, v, p);
    [UnmanagedCallersOnly] private static ulong Store4(GuestState* s, ulong a, ulong v, ulong p, ulong _) => StoreV(s, a, 4, v, p);
    [UnmanagedCallersOnly] private static ulong Store8(GuestState* s, ulong a, ulong v, ulong p, ulong _) => StoreV(s, a, 8, v, p);

    [UnmanagedCallersOnly]
    private static ulong Condition(GuestState* state, ulong rip, ulong origin, ulong a2, ulong a3)
    {
        state->Rip = rip;
        Tool(state).Reports.ConditionalJump(state, (uint)origin);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Value(GuestState* state, ulong size, ulong rip, ulong origin, ulong a3)
    {
        state->Rip = rip;
        Tool(state).Reports.ValueOfSize(state, (int)size, (uint)origin);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong AnyUndefined(GuestState* state, ulong address, ulong size, ulong a2, ulong a3)
    {
        var shadow = Owner(state).Shadow;
        for (ulong i = 0; i < size; i++)
            if (shadow.GetVBits(address + i, 1, out _) != 0) return ulong.MaxValue;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong SetRangeVBits(GuestState* state, ulong address, ulong size, ulong vbits, ulong a3)
    {
        var shadow = Owner(state).Shadow;
        for (ulong i = 0; i < size; i++) shadow.SetVBits(address + i, 1, vbits == 0 ? 0 : 0xFFUL);
        return 0;
    }
}
