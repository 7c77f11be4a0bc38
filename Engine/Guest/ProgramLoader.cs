using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Guest;

/// <summary>
/// Loads an ELF program into a <see cref="GuestAddressSpace"/> as Linux's execve does: PT_LOAD
/// segments with their protections and zeroed bss, ET_EXEC at its own addresses, ET_DYN and the
/// PT_INTERP interpreter at engine-chosen bases, the stack and the initial stack contents.
/// </summary>
public sealed unsafe class ProgramLoader(GuestAddressSpace space)
{
    /// <summary>AT_HWCAP on x86 is CPUID.1:EDX; this is a generic SSE2-era x86-64 value.</summary>
    public ulong HwCap { get; init; } = 0x178BFBFF;
    /// <summary>AT_HWCAP2: no ring-3 MWAIT, no FSGSBASE.</summary>
    public ulong HwCap2 { get; init; }
    /// <summary>AT_MINSIGSTKSZ: the legacy MINSIGSTKSZ, enough for a signal frame without AVX state.</summary>
    public ulong MinSignalStackSize { get; init; } = 2048;

    private const ulong ClockTicks = 100;

    /// <summary>How many scripts may name the next as their interpreter before the ELF program (the kernel's limit).</summary>
    private const int MaxScriptDepth = 4;

    public LoadedProgram Load(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp) => Load(path, argv, envp, 0);

    private LoadedProgram Load(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, int scriptDepth)
    {
        CheckExecutable(path);
        if (ScriptHeader.Read(path) is { } script)
        {
            if (scriptDepth == MaxScriptDepth) throw GuestLoadException.For(path, "Too many levels of symbolic links");
            // Valgrind takes only an absolute interpreter path.
            if (!script.Interpreter.StartsWith('/') || !File.Exists(script.Interpreter))
                throw GuestLoadException.For(path, "bad interpreter: No such file or directory");
            return Load(script.Interpreter, script.Argv(path, argv), envp, scriptDepth + 1);
        }
        if (InitialStack.StringBytes(argv, envp, path) > GuestAddressSpace.StackReserve / 4)
            throw GuestLoadException.For(path, "Argument list too long");
        var executable = ElfImage.Load(path);
        var (bias, imageEnd) = MapImage(executable, GuestAddressSpace.ProgramBase);
        ElfImage? interpreter = null;
        ulong interpreterBias = 0;
        if (executable.Interpreter is { } interpPath)
        {
            interpreter = LoadInterpreter(path, interpPath);
            interpreterBias = MapImage(interpreter, GuestAddressSpace.MmapBase).Bias;
        }
        space.SetBrkBase(imageEnd);

        ulong stackLimit = GuestAddressSpace.StackTop - GuestAddressSpace.StackReserve;
        if (space.MapZeroed(stackLimit, GuestAddressSpace.StackReserve, executable.StackProtection, "[stack]") < 0)
            throw GuestLoadException.For(path, $"cannot map the stack at 0x{stackLimit:x}");

        ulong phdr = (executable.ProgramHeaderAddress
            ?? throw GuestLoadException.For(path, "corrupt program headers")) + bias;
        ulong entry = executable.Entry + bias;
        var (rsp, auxv) = InitialStack.Build(GuestAddressSpace.StackTop, argv, envp, path,
        [
            (AuxvType.MinSigStkSz, MinSignalStackSize),
            (AuxvType.HwCap, HwCap),
            (AuxvType.PageSz, PageMap.PageSize),
            (AuxvType.ClkTck, ClockTicks),
            (AuxvType.Phdr, phdr),
            (AuxvType.Phent, ProgramHeader.EntrySize),
            (AuxvType.Phnum, (ulong)executable.ProgramHeaderCount),
            (AuxvType.Base, interpreterBias),
            (AuxvType.Flags, 0),
            (AuxvType.Entry, entry),
            (AuxvType.Uid, Libc.GetUid()),
            (AuxvType.Euid, Libc.GetEuid()),
            (AuxvType.Gid, Libc.GetGid()),
            (AuxvType.Egid, Libc.GetEgid()),
            (AuxvType.Secure, 0),
            (AuxvType.Random, 0),
            (AuxvType.HwCap2, HwCap2),
            (AuxvType.ExecFn, 0),
            (AuxvType.Platform, 0),
        ]);

        return new LoadedProgram
        {
            Entry = interpreter is null ? entry : interpreter.Entry + interpreterBias,
            InitialRsp = rsp,
            ExecutablePath = Path.GetFullPath(path),
            LoadBias = bias,
            InterpreterBase = interpreterBias,
            PhdrAddress = phdr,
            BrkStart = space.BrkStart,
            StackTop = GuestAddressSpace.StackTop,
            StackLimit = stackLimit,
            Auxv = auxv,
            Executable = executable,
            Interpreter = interpreter,
        };
    }

    /// <summary>execve's own checks, with the messages a shell would print for them.</summary>
    private static void CheckExecutable(string path)
    {
        if (Directory.Exists(path)) throw GuestLoadException.For(path, "is a directory");
        if (!File.Exists(path)) throw GuestLoadException.For(path, "No such file or directory");
        if (Libc.Access(path, Libc.XOk) != 0) throw GuestLoadException.For(path, "Permission denied");
    }

    private static ElfImage LoadInterpreter(string programPath, string interpPath)
    {
        try
        {
            return ElfImage.Load(interpPath);
        }
        catch (GuestLoadException e)
        {
            string prefix = $"memcheck: {interpPath}: ";
            string why = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            throw new GuestLoadException($"memcheck: {programPath}: cannot load interpreter {interpPath}: {why}", e);
        }
    }

    /// <summary>
    /// Map every PT_LOAD of <paramref name="image"/>: ET_EXEC where it was linked, ET_DYN at
    /// <paramref name="preferredBase"/> or the lowest free place above the mmap base, aligned to the
    /// largest p_align. Returns the load bias and the page-aligned end of the image (where brk starts).
    /// </summary>
    private (ulong Bias, ulong End) MapImage(ElfImage image, ulong preferredBase)
    {
        var segments = image.LoadSegments.ToList();
        ulong low = PageMap.PageDown(segments[0].VirtualAddress);
        ulong span = PageMap.PageUp(segments.Max(s => s.End)) - low;
        ulong start = image.Type == ElfType.Exec ? ReserveFixed(image, low, span) : ReserveAnywhere(image, span, preferredBase);
        ulong bias = start - low;

        int fd = Libc.Open(image.Path, Libc.ORdOnly | Libc.OCloExec);
        if (fd < 0) throw GuestLoadException.For(image.Path, "Permission denied");
        try
        {
            foreach (var segment in segments) MapSegment(image, segment, bias, fd);
        }
        finally
        {
            Libc.Close(fd);
            space.ReleaseReservation(start, span);
        }
        return (bias, start + span);
    }

    private ulong ReserveFixed(ElfImage image, ulong low, ulong span)
    {
        if (low < GuestAddressSpace.MinAddress || space.Reserve(span, low, low + span, low) != (long)low)
            throw GuestLoadException.For(image.Path, $"cannot map the program at 0x{low:x}-0x{low + span:x}: address range in use");
        return low;
    }

    private ulong ReserveAnywhere(ElfImage image, ulong span, ulong preferredBase)
    {
        ulong align = Math.Max(PageMap.PageSize, image.LoadSegments.Max(s => s.Align));
        if (align == PageMap.PageSize)
        {
            long placed = space.Reserve(span, GuestAddressSpace.MmapBase, GuestAddressSpace.PlacementLimit, preferredBase);
            return placed >= 0 ? (ulong)placed : throw GuestLoadException.For(image.Path, "out of guest address space");
        }
        // Over-reserve so an aligned start fits, then give back the ends.
        long raw = space.Reserve(span + align, GuestAddressSpace.MmapBase, GuestAddressSpace.PlacementLimit, preferredBase & ~(align - 1));
        if (raw < 0) throw GuestLoadException.For(image.Path, "out of guest address space");
        ulong start = ((ulong)raw + align - 1) & ~(align - 1);
        if (start > (ulong)raw) space.ReleaseReservation((ulong)raw, start - (ulong)raw);
        space.ReleaseReservation(start + span, (ulong)raw + span + align - (start + span));
        return start;
    }

    /// <summary>File pages, the zeroed tail of the last file page, then anonymous pages up to p_memsz.</summary>
    private void MapSegment(ElfImage image, ProgramHeader segment, ulong bias, int fd)
    {
        ulong pageStart = PageMap.PageDown(segment.VirtualAddress + bias);
        ulong fileEnd = segment.VirtualAddress + bias + segment.FileSize;
        ulong memEnd = PageMap.PageUp(segment.End + bias);
        var prot = segment.Protection;
        ulong anonStart = pageStart;
        if (segment.FileSize > 0)
        {
            anonStart = PageMap.PageUp(fileEnd);
            bool zeroTail = segment.MemorySize > segment.FileSize && fileEnd < anonStart;
            var mapProt = zeroTail ? prot | PageProtection.Write : prot;
            long mapped = space.MapInReservation(pageStart, anonStart - pageStart, mapProt.ToLinux(), MapPrivate | MapFixed, fd,
                (long)PageMap.PageDown(segment.Offset));
            if (mapped < 0) throw GuestLoadException.For(image.Path, $"cannot map segment at 0x{pageStart:x} (errno {-mapped})");
            if (zeroTail)
            {
                new Span<byte>((void*)fileEnd, (int)(anonStart - fileEnd)).Clear();
                if (mapProt != prot) space.Mprotect(pageStart, anonStart - pageStart, prot.ToLinux());
            }
        }
        if (memEnd > anonStart)
        {
            long mapped = space.MapInReservation(anonStart, memEnd - anonStart, prot.ToLinux(), MapPrivate | MapAnonymous | MapFixed, -1, 0);
            if (mapped < 0) throw GuestLoadException.For(image.Path, $"cannot map bss at 0x{anonStart:x} (errno {-mapped})");
        }
    }
}
