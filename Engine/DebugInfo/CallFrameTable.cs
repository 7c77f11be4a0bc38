namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// How one register of the caller is recovered from the callee's frame. For the expression kinds,
/// Value is where the length-prefixed DWARF expression starts in the row's section.
/// </summary>
internal readonly record struct RegisterRule(RegisterRule.Kind How, long Value)
{
    public enum Kind : byte { SameValue, Undefined, AtCfaOffset, CfaOffset, InRegister, AtExpression, IsExpression }

    public static readonly RegisterRule Same = new(Kind.SameValue, 0);
}

/// <summary>
/// The unwind row for one instruction: CFA = register + offset, or the value of a DWARF expression
/// (DW_CFA_def_cfa_expression, at CfaExpression in Section), and each register's rule.
/// </summary>
internal sealed class UnwindRow
{
    public const int RegisterCount = 17;
    public const int ReturnAddress = 16;

    public int ReturnRegister = ReturnAddress;
    public int CfaRegister = -1;
    public long CfaOffset;
    public int CfaExpression = -1;
    public byte[] Section = [];
    public RegisterRule[] Rules = new RegisterRule[RegisterCount];

    public UnwindRow Clone() => new()
    {
        ReturnRegister = ReturnRegister, CfaRegister = CfaRegister, CfaOffset = CfaOffset, CfaExpression = CfaExpression,
        Section = Section, Rules = (RegisterRule[])Rules.Clone(),
    };

    /// <summary>The DWARF expression whose length prefix is at <paramref name="position"/> in the section.</summary>
    public ReadOnlySpan<byte> Expression(long position)
    {
        var c = new DwarfCursor(Section, (int)position);
        int length = (int)c.Uleb();
        return Section.AsSpan(c.Position, length);
    }
}

/// <summary>
/// Call-frame information from .eh_frame and .debug_frame: the FDEs by address range, and the CFA
/// program run up to an instruction to give its unwind row. Addresses are link-time addresses.
/// </summary>
internal sealed class CallFrameTable
{
    private sealed record Cie(int CodeAlign, long DataAlign, int ReturnRegister, byte PointerEncoding, bool Augmented, int Instructions, int End);
    private readonly record struct Fde(ulong Start, ulong End, Cie Cie, byte[] Section, int Instructions, int InstructionsEnd);

    private const byte PeOmit = 0xff, PePcRel = 0x10, PeDataRel = 0x30;

    private readonly Fde[] _fdes;
    /// <summary>
    /// Rows already worked out, by instruction: every malloc and free unwinds its stack, mostly through the same
    /// return addresses, and running an FDE's program (with a copy of the row per remember-state) cost more than the
    /// rest of the walk.
    /// </summary>
    private readonly Dictionary<ulong, UnwindRow?> _rows = new();

    public int Count => _fdes.Length;

    public CallFrameTable(byte[] ehFrame, ulong ehFrameAddress, byte[] debugFrame)
    {
        var fdes = new List<Fde>();
        Parse(ehFrame, ehFrameAddress, isEh: true, fdes);
        Parse(debugFrame, 0, isEh: false, fdes);
        _fdes = [.. fdes.Where(f => f.End > f.Start).OrderBy(f => f.Start)];
    }

    /// <summary>The unwind row in force at the instruction, or null where no FDE covers it. Callers must not change it.</summary>
    public UnwindRow? RowAt(ulong pc)
    {
        if (!_rows.TryGetValue(pc, out var row)) _rows[pc] = row = Compute(pc);
        return row;
    }

    private UnwindRow? Compute(ulong pc)
    {
        int lo = 0, hi = _fdes.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_fdes[mid].Start <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0 || pc >= _fdes[found].End) return null;
        var fde = _fdes[found];
        var initial = new UnwindRow { ReturnRegister = fde.Cie.ReturnRegister, Section = fde.Section };
        Execute(fde.Section, fde.Cie.Instructions, fde.Cie.End, fde.Cie, initial, null, fde.Start, ulong.MaxValue);
        var row = initial.Clone();
        Execute(fde.Section, fde.Instructions, fde.InstructionsEnd, fde.Cie, row, initial, fde.Start, pc);
        return row;
    }

    private static void Parse(byte[] section, ulong sectionAddress, bool isEh, List<Fde> fdes)
    {
        var cies = new Dictionary<int, Cie>();
        int entry = 0;
        while (entry + 4 <= section.Length)
        {
            var c = new DwarfCursor(section, entry);
            var (length, dwarf64) = c.UnitLength();
            if (length == 0) { if (isEh) break; entry = c.Position; continue; }
            int end = c.Position + (int)length;
            int idField = c.Position;
            ulong id = c.Offset(dwarf64);
            bool isCie = isEh ? id == 0 : id == (dwarf64 ? ulong.MaxValue : 0xffffffff);
            if (isCie) cies[entry] = ReadCie(section, c.Position, end, isEh);
            else
            {
                int cieAt = isEh ? idField - (int)id : (int)id;
                if (!cies.TryGetValue(cieAt, out var cie))
                {
                    var cc = new DwarfCursor(section, cieAt);
                    var (cieLength, cie64) = cc.UnitLength();
                    int cieEnd = cc.Position + (int)cieLength;
                    cc.Offset(cie64);
                    cies[cieAt] = cie = ReadCie(section, cc.Position, cieEnd, isEh);
                }
                byte encoding = cie.PointerEncoding;
                ulong start = ReadPointer(ref c, encoding, sectionAddress);
                ulong range = ReadPointer(ref c, (byte)(encoding & 0x0f), 0);
                if (isEh && cie.Augmented) c.Skip((int)c.Uleb());
                if (start != 0) fdes.Add(new Fde(start, start + range, cie, section, c.Position, end));
            }
            entry = end;
        }
    }

    private static Cie ReadCie(byte[] section, int position, int end, bool isEh)
    {
        var c = new DwarfCursor(section, position);
        int version = c.U8();
        string augmentation = c.CString();
        if (augmentation.Contains("eh")) c.Skip(8);
        if (!isEh && version >= 4) c.Skip(2); // address size, segment selector size
        int codeAlign = (int)c.Uleb();
        long dataAlign = c.Sleb();
        int returnRegister = version == 1 ? c.U8() : (int)c.Uleb();
        byte encoding = 0; // absolute 8-byte addresses unless 'R' says otherwise
        if (augmentation.StartsWith('z'))
        {
            int augLength = (int)c.Uleb();
            int afterAug = c.Position + augLength;
            foreach (char a in augmentation.AsSpan(1))
            {
                if (a == 'R') encoding = c.U8();
                else if (a == 'L') c.U8();
                else if (a == 'P') { byte pe = c.U8(); ReadPointer(ref c, pe, 0); }
                else if (a != 'S' && a != 'B') break;
            }
            c.Position = afterAug;
        }
        return new Cie(codeAlign, dataAlign, returnRegister, encoding, augmentation.StartsWith('z'), c.Position, end);
    }

    private static ulong ReadPointer(ref DwarfCursor c, byte encoding, ulong sectionAddress)
    {
        if (encoding == PeOmit) return 0;
        ulong fieldAddress = sectionAddress + (ulong)c.Position;
        ulong value = (encoding & 0x0f) switch
        {
            0x00 => c.U64(),
            0x01 => c.Uleb(),
            0x02 => c.U16(),
            0x03 => c.U32(),
            0x04 => c.U64(),
            0x09 => (ulong)c.Sleb(),
            0x0a => (ulong)(short)c.U16(),
            0x0b => (ulong)(int)c.U32(),
            0x0c => c.U64(),
            _ => throw new InvalidDataException($"pointer encoding 0x{encoding:x} in call-frame information"),
        };
        return (encoding & 0x70) switch
        {
            PePcRel => value + fieldAddress,
            0 => value,
            PeDataRel => value, // only personality/LSDA pointers use it, and their values are not used
            _ => throw new InvalidDataException($"pointer encoding 0x{encoding:x} in call-frame information"),
        };
    }

    /// <summary>Runs CFA instructions while the location stays at or before <paramref name="pc"/>.</summary>
    private static void Execute(byte[] section, int start, int end, Cie cie, UnwindRow row, UnwindRow? initial, ulong location, ulong pc)
    {
        var c = new DwarfCursor(section.AsSpan(0, end), start);
        var saved = new Stack<UnwindRow>();
        while (!c.AtEnd)
        {
            byte op = c.U8();
            int high = op & 0xc0, low = op & 0x3f;
            if (high == 0x40) { location += (ulong)(low * cie.CodeAlign); if (location > pc) return; continue; }
            if (high == 0x80) { Set(row, low, new(RegisterRule.Kind.AtCfaOffset, (long)c.Uleb() * cie.DataAlign)); continue; }
            if (high == 0xc0) { Set(row, low, initial is null ? RegisterRule.Same : Get(initial, low)); continue; }
            switch (op)
            {
                case 0x00: break;
                case 0x01: location = c.U64(); if (location > pc) return; break;
                case 0x02: location += (ulong)(c.U8() * cie.CodeAlign); if (location > pc) return; break;
                case 0x03: location += (ulong)(c.U16() * cie.CodeAlign); if (location > pc) return; break;
                case 0x04: location += (ulong)(c.U32() * cie.CodeAlign); if (location > pc) return; break;
                case 0x05: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.AtCfaOffset, (long)c.Uleb() * cie.DataAlign)); break; }
                case 0x06: { int r = (int)c.Uleb(); Set(row, r, initial is null ? RegisterRule.Same : Get(initial, r)); break; }
                case 0x07: Set(row, (int)c.Uleb(), new(RegisterRule.Kind.Undefined, 0)); break;
                case 0x08: Set(row, (int)c.Uleb(), RegisterRule.Same); break;
                case 0x09: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.InRegister, (long)c.Uleb())); break; }
                case 0x0a: saved.Push(row.Clone()); break;
                case 0x0b:
                    if (saved.TryPop(out var restored)) { row.Rules = restored.Rules; row.CfaRegister = restored.CfaRegister; row.CfaOffset = restored.CfaOffset; row.CfaExpression = restored.CfaExpression; }
                    break;
                case 0x0c: row.CfaRegister = (int)c.Uleb(); row.CfaOffset = (long)c.Uleb(); row.CfaExpression = -1; break;
                case 0x0d: row.CfaRegister = (int)c.Uleb(); row.CfaExpression = -1; break;
                case 0x0e: row.CfaOffset = (long)c.Uleb(); break;
                case 0x0f: row.CfaExpression = c.Position; c.Skip((int)c.Uleb()); break;
                case 0x10: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.AtExpression, c.Position)); c.Skip((int)c.Uleb()); break; }
                case 0x11: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.AtCfaOffset, c.Sleb() * cie.DataAlign)); break; }
                case 0x12: row.CfaRegister = (int)c.Uleb(); row.CfaOffset = c.Sleb() * cie.DataAlign; row.CfaExpression = -1; break;
                case 0x13: row.CfaOffset = c.Sleb() * cie.DataAlign; break;
                case 0x14: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.CfaOffset, (long)c.Uleb() * cie.DataAlign)); break; }
                case 0x15: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.CfaOffset, c.Sleb() * cie.DataAlign)); break; }
                case 0x16: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.IsExpression, c.Position)); c.Skip((int)c.Uleb()); break; }
                case 0x2e: c.Uleb(); break; // GNU_args_size
                case 0x2f: { int r = (int)c.Uleb(); Set(row, r, new(RegisterRule.Kind.AtCfaOffset, -(long)c.Uleb() * cie.DataAlign)); break; }
                default: throw new InvalidDataException($"DW_CFA opcode 0x{op:x}");
            }
        }
    }

    private static void Set(UnwindRow row, int register, RegisterRule rule)
    {
        if (register < UnwindRow.RegisterCount) row.Rules[register] = rule;
    }

    private static RegisterRule Get(UnwindRow row, int register) => register < UnwindRow.RegisterCount ? row.Rules[register] : RegisterRule.Same;
}
